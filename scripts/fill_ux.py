"""Vietnamese for the ux leftovers: the village prompt's phone line, the criteria
sheet's errors and the org file's errors in the operator's language."""

VI = {
    "📱 Party member? You may share your phone with the button below instead.": "📱 Là đảng viên? Đồng chí cũng có thể chia sẻ số điện thoại bằng nút bên dưới.",
    # criteria import (bot/services/criteria/sheet.py, bot/cli_criteria.py)
    "not an .xlsx workbook: fill the sheet that `villagebot criteria export` writes and keep it as .xlsx": "không phải tệp Excel .xlsx: hãy điền vào bảng do lệnh “villagebot criteria export” xuất ra và giữ nguyên định dạng .xlsx",
    "missing columns: export a fresh sheet with `villagebot criteria export`": "thiếu cột: hãy xuất bảng mới bằng lệnh “villagebot criteria export”",
    "header {header} names no level key": "tiêu đề {header} không ghi mã mức nào",
    "the last column must be the source": "cột cuối phải là cột nguồn (source)",
    "unknown criteria set {code}": "không có bộ tiêu chí {code}",
    "level key {key} does not apply to {code}": "mã mức {key} không dùng cho bộ {code}",
    "every row must be of set {expected}, not {code}": "mọi dòng phải thuộc bộ {expected}, không phải {code}",
    "unknown indicator {indicator} in {code}": "không có chỉ tiêu {indicator} trong bộ {code}",
    "indicator {indicator} appears twice": "chỉ tiêu {indicator} xuất hiện hai lần",
    "a level needs its source (document and article, or a link)": "mức phải có nguồn (văn bản và điều khoản, hoặc đường dẫn)",
    "source longer than {limit} characters": "nguồn dài quá {limit} ký tự",
    "level longer than {limit} characters": "mức dài quá {limit} ký tự",
    "no indicator rows": "không có dòng chỉ tiêu nào",
    "unknown criteria set {code} (see `villagebot criteria list`)": "không có bộ tiêu chí {code} (xem `villagebot criteria list`)",
}
