"""Reports: results and breakdowns per exam, item analysis, result sheets, years, HR dashboard."""
