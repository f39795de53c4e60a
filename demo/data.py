"""The demo province: agencies, staff and how each person performs in the demo year.

Names are invented.  Since 1 July 2025 local government has two levels (RULES.md §5),
so the demo holds provincial departments (sở) and a ward People's Committee; the
"district" of the issue is the ward.  ``perf`` picks the demo pattern of task results
and general-criteria points (see :mod:`demo.loader`); ``test`` is the fraction of test
questions answered right (None: has not sat the test yet).
"""

DEMO_YEAR = 2026
PASSWORD = "Demo@2026"

# code, name, kind, parent code, is_rating_unit
AGENCIES = [
    ("PT", "UBND tỉnh Phú Thọ (dữ liệu minh họa)", "province", None, False),
    ("SNV", "Sở Nội vụ", "department", "PT", True),
    ("SNV-VP", "Văn phòng Sở Nội vụ", "division", "SNV", False),
    ("SNV-CCVC", "Phòng Công chức, viên chức", "division", "SNV", False),
    ("SNV-TCBM", "Phòng Tổ chức bộ máy", "division", "SNV", False),
    ("STC", "Sở Tài chính", "department", "PT", True),
    ("STC-NS", "Phòng Quản lý ngân sách", "division", "STC", False),
    ("STC-GCS", "Phòng Quản lý giá và công sản", "division", "STC", False),
    ("STP", "Sở Tư pháp", "department", "PT", True),
    ("STP-HCTP", "Phòng Hành chính tư pháp", "division", "STP", False),
    ("STP-VB", "Phòng Xây dựng và kiểm tra văn bản", "division", "STP", False),
    ("PVT", "UBND phường Việt Trì", "commune", "PT", True),
    ("PVT-VP", "Văn phòng HĐND và UBND phường", "division", "PVT", False),
    ("PVT-KT", "Phòng Kinh tế, Hạ tầng và Đô thị", "division", "PVT", False),
    ("PVT-HCC", "Trung tâm Phục vụ hành chính công phường", "division", "PVT", False),
]

CS, PE = "civil_servant", "public_employee"
LEAD, SPEC = "lanh-dao", "chuyen-vien"

# username, full name, agency, job position, category, leader, roles [(role, agency)], perf, test
STAFF = [
    ("admin", "Quản trị hệ thống", "PT", "Quản trị hệ thống", CS, False, [("admin", "PT")], None, None),
    ("nhansu", "Trần Thị Bình", "SNV-CCVC", "Chuyên viên quản lý công chức", CS, False,
     [("hr_officer", "PT"), ("council_secretary", "PT")], "good", 0.8),
    ("nganhang", "Lê Minh Châu", "SNV-CCVC", "Chuyên viên quản lý đào tạo, bồi dưỡng", CS, False,
     [("bank_editor", "PT"), ("reviewer", "PT")], "excellent", 0.95),
    ("khaothi", "Phạm Quốc Dũng", "SNV-VP", "Chuyên viên tổng hợp", CS, False,
     [("exam_admin", "PT"), ("marker", "PT"), ("reviewer", "PT")], "good", 0.75),
    ("giamdoc.snv", "Nguyễn Văn An", "SNV", "Giám đốc Sở", CS, True,
     [("head", "SNV"), ("supervisor", "SNV"), ("hr_officer", "SNV")], "excellent", 0.9),
    ("tp.vp.snv", "Hoàng Thị Giang", "SNV-VP", "Chánh Văn phòng", CS, True, [("supervisor", "SNV-VP")], "good", 0.85),
    ("tp.ccvc", "Vũ Đức Hải", "SNV-CCVC", "Trưởng phòng", CS, True, [("supervisor", "SNV-CCVC")], "good", 0.8),
    ("tp.tcbm", "Đặng Thu Hà", "SNV-TCBM", "Trưởng phòng", CS, True, [("supervisor", "SNV-TCBM")], "good", 0.7),
    ("cv.tcbm1", "Bùi Văn Khánh", "SNV-TCBM", "Chuyên viên tổ chức bộ máy", CS, False, [], "excellent2", 0.9),
    ("cv.tcbm2", "Đỗ Thị Lan", "SNV-TCBM", "Chuyên viên tổ chức bộ máy", CS, False, [], "good", 0.65),
    ("cv.vp1", "Ngô Minh Long", "SNV-VP", "Chuyên viên hành chính", CS, False, [], "good", None),
    ("giamdoc.stc", "Trịnh Văn Mạnh", "STC", "Giám đốc Sở", CS, True,
     [("head", "STC"), ("supervisor", "STC"), ("hr_officer", "STC")], "good", 0.85),
    ("tp.ns", "Lý Thị Nga", "STC-NS", "Trưởng phòng", CS, True, [("supervisor", "STC-NS")], "good", 0.8),
    ("cv.ns1", "Phan Văn Phúc", "STC-NS", "Chuyên viên quản lý ngân sách", CS, False, [], "excellent", 0.9),
    ("cv.ns2", "Tạ Thị Quyên", "STC-NS", "Chuyên viên quản lý ngân sách", CS, False, [], "good", 0.7),
    ("cv.ns3", "Mai Văn Sơn", "STC-NS", "Chuyên viên quản lý ngân sách", CS, False, [], "completed", 0.55),
    ("tp.gcs", "Dương Thị Tâm", "STC-GCS", "Trưởng phòng", CS, True, [("supervisor", "STC-GCS")], "good", 0.75),
    ("cv.gcs1", "Hồ Văn Thắng", "STC-GCS", "Chuyên viên quản lý giá", CS, False, [], "good", 0.6),
    ("cv.gcs2", "Kiều Thị Uyên", "STC-GCS", "Chuyên viên quản lý công sản", CS, False, [], "completed", 0.4),
    ("giamdoc.stp", "Lương Văn Vinh", "STP", "Giám đốc Sở", CS, True,
     [("head", "STP"), ("supervisor", "STP")], "good", 0.8),
    ("tp.hctp", "Chu Thị Xuân", "STP-HCTP", "Trưởng phòng", CS, True, [("supervisor", "STP-HCTP")], "good", 0.75),
    ("cv.hctp1", "Triệu Văn Yên", "STP-HCTP", "Chuyên viên hộ tịch", CS, False, [], "good", 0.7),
    ("tp.vb", "Quách Thị Ánh", "STP-VB", "Trưởng phòng", CS, True, [("supervisor", "STP-VB")], "good", 0.8),
    ("cv.vb1", "La Văn Bảo", "STP-VB", "Chuyên viên kiểm tra văn bản", CS, False, [], "poor", 0.35),
    ("chutich.pvt", "Đinh Văn Cường", "PVT", "Chủ tịch UBND phường", CS, True,
     [("head", "PVT"), ("supervisor", "PVT"), ("hr_officer", "PVT")], "good", 0.8),
    ("cvp.pvt", "Cao Thị Diệu", "PVT-VP", "Chánh Văn phòng", CS, True, [("supervisor", "PVT-VP")], "good", 0.75),
    ("cv.vp.pvt", "Kim Thị Giao", "PVT-VP", "Chuyên viên văn phòng", CS, False, [], "good", 0.75),
    ("cv.kt1", "Tô Văn Đạt", "PVT-KT", "Chuyên viên quản lý đô thị", CS, False, [], "completed", 0.6),
    ("cv.kt2", "Nông Thị Én", "PVT-KT", "Chuyên viên kinh tế", CS, False, [], "good", 0.7),
    ("gd.hcc", "Âu Thị Hằng", "PVT-HCC", "Giám đốc Trung tâm", PE, True,
     [("supervisor", "PVT-HCC")], "nd90_good", 0.8),
    ("vc.hcc1", "Lâm Văn Hiếu", "PVT-HCC", "Viên chức tiếp nhận hồ sơ", PE, False, [], "nd90_excellent", 0.85),
    ("vc.hcc2", "Mạc Thị Hoa", "PVT-HCC", "Viên chức trả kết quả", PE, False, [], "nd90_good", 0.7),
]

# username → (form, connected with duties): a reprimand in the demo year (nd335 Art. 20 cl. 4(c)).
DISCIPLINE = {"cv.hctp1": ("reprimand", True)}

DEMO_LOGINS = ["admin", "nhansu", "nganhang", "khaothi", "giamdoc.stc", "tp.ns", "cv.vp1"]
