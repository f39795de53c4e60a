"""Question banks, categories, questions and their versions; import/export formats."""
