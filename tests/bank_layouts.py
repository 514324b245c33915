"""Bank statement exports in each bank's own layout, with made-up data (no real account).

The layouts follow what the banks' internet-banking exports look like (title and
account-summary rows, the header's words and order, bilingual or merged header cells,
amounts as text or numbers, dates as text, Excel dates or serial numbers), as seen in
public statement parsers and sample exports; the accounts, names and amounts are ours.

In every file: pledge 7 is paid (money in) with its memo mangled the way that bank
mangles memos; pledge 8's memo appears on a DEBIT line (money out: never a payment);
a totals row sums the column."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime

from openpyxl import Workbook

CODE = "z37hwfpf"
CHECK = "ABCDE"
PAID = 1_500_000


def _xlsx(rows: list[list[object]], merges: list[str] = ()) -> bytes:  # type: ignore[assignment]
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows: list[list[object]], delimiter: str = ",") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def agribank() -> tuple[str, bytes]:
    """Agribank E-Mobile/internet banking: "Nợ TK (Ghi nợ)", "Có TK (Ghi có)", "Diễn giải";
    amounts as text with dots between thousands, dates as text."""
    return "SaoKe_Agribank.xlsx", _xlsx([
        ["NGÂN HÀNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN VIỆT NAM"],
        ["SAO KÊ TÀI KHOẢN"],
        ["Số tài khoản: 3600205999999", None, "Tên tài khoản: QUY THON MAU"],
        ["Từ ngày: 01/03/2026", None, "Đến ngày: 31/03/2026"],
        ["Số dư đầu kỳ:", "2.000.000"],
        [],
        ["STT", "Ngày GD", "Mã GD", "Nợ TK (Ghi nợ)", "Có TK (Ghi có)", "Số dư", "Diễn giải"],
        ["1", "05/03/2026", "3600ZZ1", "", "1.500.000", "3.500.000", f"NGUYEN VAN AN CHUYEN KHOAN DG {CODE} 7 {CHECK}"],
        ["2", "06/03/2026", "3600ZZ2", "500.000", "", "3.000.000", f"CHI TRA DG {CODE} 8 QWERT"],
        ["", "", "", "500.000", "1.500.000", "", "Tổng cộng"],
        ["Người lập biểu", "", "", "", "Kiểm soát"],
    ])  # fmt: skip


def vietcombank() -> tuple[str, bytes]:
    """VCB Digibank: "Số tiền ghi nợ" BEFORE "Số tiền ghi có" (the prefix "so tien" once
    read the debit), Excel dates, memos prefixed by the bank ("MBVCB.<n>.")."""
    return "SaoKeTK_VCB.xlsx", _xlsx([
        ["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"],
        ["SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT"],
        ["Số tài khoản/Account No:", "1012999999"],
        ["Số dư đầu kỳ/Opening balance:", 2_000_000],
        ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Số dư", "Nội dung chi tiết"],
        [1, datetime(2026, 3, 5, 9, 12), "5243.65937", None, PAID, 3_500_000,  # noqa: DTZ001 (Excel has no time zones)
         f"MBVCB.4525077405.DG{CODE.upper()}7{CHECK}.CT tu 0351000999999 NGUYEN VAN AN toi 1012999999"],
        [2, datetime(2026, 3, 6, 10, 0), "5243.65938", 500_000, None, 3_000_000,  # noqa: DTZ001
         f"MBVCB.4525077406.DG {CODE} 8 QWERT.CT di"],
        [None, None, "Tổng/Total", 500_000, PAID, None, None],
    ])  # fmt: skip


def vietcombank_csv() -> tuple[str, bytes]:
    """The same export saved as CSV: comma between thousands, quoted."""
    return "SaoKeTK_VCB.csv", _csv([
        ["SAO KÊ TÀI KHOẢN"],
        ["STT", "Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Số dư", "Nội dung chi tiết"],
        ["1", "05/03/2026", "5243.65937", "", "1,500,000", "3,500,000", f"MBVCB.4525077405.DG {CODE.upper()} 7 {CHECK}.CT tu"],
        ["2", "06/03/2026", "5243.65938", "500,000", "", "3,000,000", f"DG {CODE} 8 QWERT"],
    ])  # fmt: skip


def bidv() -> tuple[str, bytes]:
    """BIDV: "BÁO CÁO CHI TIẾT SỐ DƯ TÀI KHOẢN", "Ngày hiệu lực", "Ghi nợ", "Ghi có";
    dates as bare Excel serial numbers; the bank's "IBFT" prefix."""
    return "BIDV_SaoKe.xlsx", _xlsx([
        ["NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM"],
        ["BÁO CÁO CHI TIẾT SỐ DƯ TÀI KHOẢN"],
        ["Số tài khoản:", "21510009999999"],
        ["Loại tiền:", "VND"],
        ["STT", "Ngày hiệu lực", "Ghi nợ", "Ghi có", "Số dư", "Mô tả"],
        [1, 46086, 0, PAID, 3_500_000, f"IBFT DG {CODE.upper()} {7} {CHECK} NGUYEN VAN AN"],
        [2, 46087, 500_000, 0, 3_000_000, f"IBFT DG {CODE.upper()} 8 QWERT"],
        ["Cộng phát sinh", None, 500_000, PAID, None, None],
    ])  # fmt: skip


def vietinbank() -> tuple[str, bytes]:
    """VietinBank eFAST: bilingual header cells ("Nợ / Debit", "Có / Credit")."""
    return "LichSuGiaoDich_VietinBank.xlsx", _xlsx([
        ["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM - VIETINBANK"],
        ["LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY"],
        ["Số tài khoản / Account No: 108999999999"],
        ["STT / No.", "Ngày giao dịch / Transaction date", "Mô tả giao dịch / Transaction description",
         "Nợ / Debit", "Có / Credit", "Số dư TK / Account balance", "Số giao dịch / Transaction number"],
        [1, "05/03/2026 08:15:02", f"CT DEN:0123 DG-{CODE}-7-{CHECK}", "", "1,500,000", "3,500,000", "FT26064001"],
        [2, "06/03/2026 14:20:00", f"CT DI DG-{CODE}-8-QWERT", "500,000", "", "3,000,000", "FT26065002"],
    ])  # fmt: skip


def techcombank() -> tuple[str, bytes]:
    """Techcombank: a long account block, the header at row 34 with each column merged
    over several cells, the remitter's name in its own column."""
    rows: list[list[object]] = [["TECHCOMBANK"], ["SAO KÊ TÀI KHOẢN / ACCOUNT STATEMENT"]]
    rows += [[f"Thông tin tài khoản {i}"] for i in range(30)]
    rows.append([])
    columns = {0: "Ngày giao dịch/ Transaction Date", 6: "Đối tác/ Remitter", 15: "NH Đối tác/ Remitter Bank",
               23: "Diễn giải/ Details", 31: "Số bút toán/ Transaction No.", 44: "Nợ/ Debit",
               52: "Có/ Credit", 58: "Số dư/ Balance"}  # fmt: skip

    def spread(values: dict[int, object]) -> list[object]:
        row: list[object] = [None] * 59
        for column, value in values.items():
            row[column] = value
        return row

    rows.append(spread(columns))
    rows.append(spread({0: "05/03/2026", 6: "NGUYEN VAN AN", 15: "VIETCOMBANK", 23: f"Nguyễn Văn An chuyển tiền ĐG {CODE} 7 {CHECK.lower()}",
                        31: "FT26064123456", 52: "1,500,000", 58: "3,500,000"}))  # fmt: skip
    rows.append(spread({0: "06/03/2026", 6: "CONG TY DIEN LUC", 15: "BIDV", 23: f"DG {CODE} 8 QWERT", 31: "FT26065123457",
                        44: "500,000", 58: "3,000,000"}))  # fmt: skip
    return "SaoKeTK_Techcombank.xlsx", _xlsx(rows, ["A35:F35", "G35:O35", "X35:AE35"])


def mb() -> tuple[str, bytes]:
    """MB Bank, saved as CSV with semicolons: credit BEFORE debit ("Phát sinh có" then
    "Phát sinh nợ"), dots between thousands."""
    return "MB_SaoKe.csv", _csv([
        ["NGÂN HÀNG TMCP QUÂN ĐỘI"],
        ["SAO KÊ CHI TIẾT TÀI KHOẢN"],
        ["Tài khoản/Account No: 0999999999999"],
        ["STT", "Ngày giao dịch", "Số tham chiếu", "Phát sinh có / Credit", "Phát sinh nợ / Debit", "Số dư / Balance", "Nội dung / Description"],
        ["1", "05/03/2026", "FT26064AAA", "1.500.000", "", "3.500.000", f"DG {CODE.upper()} 7 {CHECK}- Ma GD ACSP/ 12345"],
        ["2", "06/03/2026", "FT26065BBB", "", "500.000", "3.000.000", f"DG {CODE.upper()} 8 QWERT- Ma GD ACSP/ 12346"],
    ], delimiter=";")  # fmt: skip


def acb() -> tuple[str, bytes]:
    """ACB: "BẢNG SAO KÊ GIAO DỊCH", "Tiền rút ra" and "Tiền gửi vào"."""
    return "ACB_Statement.xlsx", _xlsx([
        ["BẢNG SAO KÊ GIAO DỊCH"],
        ["Số tài khoản: 9999999", None, "Loại tiền: VND"],
        ["Số dư đầu", None, None, "Số dư cuối"],
        [2_000_000, None, None, 3_000_000],
        [],
        ["Ngày giao dịch", "Số GD", "Tiền rút ra", "Tiền gửi vào", "Số dư", "Nội dung giao dịch"],
        ["05/03/2026", "1234", None, PAID, 3_500_000, f"dg {CODE} 7 {CHECK.lower()} GD 123456-030526 10:21:07"],
        ["06/03/2026", "1235", 500_000, None, 3_000_000, f"dg {CODE} 8 qwert"],
    ])  # fmt: skip


def vpbank() -> tuple[str, bytes]:
    """VPBank's CSV as the bank writes it (the layout of a public VPBank export,
    github.com/ndt0126/Sao-ke-Reader data/*.csv): an account block, then "Ngày giao
    dịch", "Ngày hiệu lực", "Nội dung giao dịch", "Mã GD", then money OUT as "Số tiền
    chi tiêu" and money IN as "Tăng"; amounts "1,500,000 VND", "--" for none, newest
    first. "Số tiền chi tiêu" once read as a signed amount: every debit was money in."""
    return "VPBank_SaoKe.csv", _csv([
        ["", " SAO KÊ TÀI KHOẢN"],
        ["Họ và tên: ", "QUY THON MAU"],
        ["Số tài khoản:", "999999999"],
        ["Loại tài khoản:", "Tài khoản VPSuper"],
        ["Số dư:", "3,000,000 ₫"],
        ["Tiền tệ:", "VND"],
        ["Ngày giao dịch", "Ngày hiệu lực", "Nội dung giao dịch", "Mã GD", "Số tiền chi tiêu", "Tăng", "Số dư sau giao dịch"],
        ["06/03/2026 14:20:00", "06/03/2026", f"DG {CODE} 8 QWERT", "FT26065000000002\\I2B", "500,000 VND", "--", "3,000,000 VND"],
        ["05/03/2026 10:21:00", "05/03/2026", f"NHAN TU 0999999999 TRACE 123456 ND DG {CODE.upper()} 7 {CHECK}", "FT26064000000001", "--", "1,500,000 VND", "3,500,000 VND"],
    ])  # fmt: skip


def vietcombank_statement() -> tuple[str, bytes]:
    """Vietcombank's "SAO KÊ TÀI KHOẢN / STATEMENT OF ACCOUNT" (the layout of VCB's
    published statements, e.g. github.com/tracuusaoke/tra-cuu-sao-ke
    public/mttq0011001932418VCB: TNX Date, Doc No, Debit, Credit, Balance, Transactions
    in Detail): bilingual headers, the date and the document number in ONE cell
    ("05/03/2026\\n5213.45946"), "STT/No" (not "Nợ") first, a "Tổng số/Total" row."""
    return "VCB_StatementOfAccount.xlsx", _xlsx([
        ["NGÂN HÀNG TMCP NGOẠI THƯƠNG VIỆT NAM"],
        ["SAO KÊ TÀI KHOẢN\nSTATEMENT OF ACCOUNT"],
        ["Số tài khoản/Account number:", None, "1012999999"],
        ["Loại tiền/Currency:", None, "VND"],
        ["Số dư đầu kỳ/ Opening balance :", None, "2,000,000 VND"],
        ["STT/No", "Ngày GD/TNX Date\nSố CT/Doc No", "Số tiền ghi nợ/Debit", "Số tiền ghi có/Credit", "Số dư/Balance", "Nội dung chi tiết/Transactions in detail"],
        ["1", "05/03/2026\n5213.45946", "", "1,500,000", "", f"292976.050326.013647.DG {CODE.upper()} 7 {CHECK}"],
        ["2", "06/03/2026\n9915.10293", "500,000", "", "3,000,000", f"MBVCB.6916176124.DG {CODE} 8 QWERT.CT di"],
        ["Tổng số/Total", "", "500,000", "1,500,000", "", ""],
    ])  # fmt: skip


def techcombank_enquiry() -> tuple[str, bytes]:
    """Techcombank's "TRUY VẤN GIAO DỊCH / TRANSACTION ENQUIRY" Excel (twelve columns, as
    a public Techcombank parser reads them: requesting date, transaction date, reference,
    the remitter's BANK, account and NAME, description, Nợ/Debit as negative numbers,
    Có/Credit, fee, VAT, balance). The remitter's bank comes before the remitter's name:
    it must not be taken for the payer (every line was flagged "someone else paid")."""
    return "TCB_TransactionEnquiry.xlsx", _xlsx([
        ["NGÂN HÀNG TMCP KỸ THƯƠNG VIỆT NAM - TECHCOMBANK"],
        ["TRUY VẤN GIAO DỊCH / TRANSACTION ENQUIRY"],
        ["Số tài khoản/Account number:", "19039999999999"],
        ["Số dư đầu ngày/Opening balance", None, None, None, None, None, 2_000_000],
        ["Ngày KH thực hiện/Requesting date", "Ngày giao dịch/Transaction date", "Số bút toán/Reference number",
         "Ngân hàng đối tác / Remitter's bank", "Tài khoản đích/Remitter's account number",
         "Tên tài khoản đối ứng/Remitter's account name", "Diễn giải/Description", "Nợ/Debit", "Có/Credit",
         "Phí/Lãi / Fee/Interest", "Thuế/Transaction VAT", "Số dư/Running balance"],
        ["05/03/2026", "05/03/2026", "FT26064123456", "VIETCOMBANK", "0351000999999", "NGUYEN VAN AN",
         f"NGUYEN VAN AN chuyen tien DG {CODE} 7 {CHECK}", None, PAID, None, None, 3_500_000],
        ["06/03/2026", "06/03/2026", "FT26065123457", "BIDV", "21510009999999", "CONG TY DIEN LUC",
         f"DG {CODE} 8 QWERT", -500_000, None, None, None, 3_000_000],
    ])  # fmt: skip


BANKS: dict[str, Callable[[], tuple[str, bytes]]] = {
    "agribank": agribank,
    "vietcombank": vietcombank,
    "vietcombank_csv": vietcombank_csv,
    "vietcombank_statement": vietcombank_statement,
    "bidv": bidv,
    "vietinbank": vietinbank,
    "techcombank": techcombank,
    "techcombank_enquiry": techcombank_enquiry,
    "mb": mb,
    "acb": acb,
    "vpbank": vpbank,
}


# Old Excel exports: the same statement as a real .xls (BIFF8) and as a web page named .xls.
#
# Many banks' "Excel" button gives one of these two, not an .xlsx: a real Excel 97-2003
# workbook, or an HTML table that Excel opens because of the name (python-excel/xlrd
# issue 350, "Unable to read some 'HTML encoded' XLS files": bank "AccountTransaction"
# exports; a public Vietnamese statement parser found by code search routes ".xls" by its
# first bytes, OLE2 to xlrd and "<html"/"<table" to an HTML reader, "HTML table saved as
# .xls (common from bank exports)"). Excel's own HTML looks like SheetJS/sheetjs issue 458:
# ``<meta name=ProgId content=Excel.Sheet>``, ``br{mso-data-placement:same-cell;}`` (a
# <br> stays inside its cell), ``mso-number-format`` on text cells.
#
# Three layouts, as that public parser reads them (its repository is not named by the index;
# its modules are "VTB bank statement parser (VietinBank)" and "BIDV bank statement
# parser"): VietinBank eFAST's "LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY" (bilingual
# headers "Ngày hạch toán / Accounting date", "Mô tả giao dịch / Transaction
# description", "Nợ/ Debit", "Có / Credit", "Số dư TK / Account balance", "Số giao
# dịch / Transaction number"; opening and closing balance rows above the header, which
# that parser looks for within the first 120 rows) and BIDV's "BÁO CÁO CHI TIẾT SỐ DƯ
# TÀI KHOẢN" (upper-case "NGÀY HIỆU LỰC", "GHI NỢ", "GHI CÓ", "MÔ TẢ", "SỐ DƯ"; "Số tài
# khoản" beside an old "Số tài khoản cũ"; "DƯ ĐẦU"/"DƯ CUỐI" rows; the header near row 12).
# Accounts, names and amounts are ours. Each builder takes the campaign's code, the paid
# pledge and its check letters, and the pledge whose memo sits on a debit line.


def vietinbank_history(code: str = CODE, paid: int = 7, check: str = CHECK, debit: int = 8) -> list[list[object]]:
    rows: list[list[object]] = [
        ["NGÂN HÀNG TMCP CÔNG THƯƠNG VIỆT NAM - VIETINBANK"],
        ["LỊCH SỬ GIAO DỊCH - TRANSACTION HISTORY"],
        [],
        ["Tên tài khoản / Account name:", None, "QUY THON MAU"],
        ["Số tài khoản / Account No:", None, "108999999999"],
        ["Loại tiền / Currency:", None, "VND"],
        ["Từ ngày / From date:", None, "01/03/2026", "Đến ngày / To date:", "31/03/2026"],
        ["SỐ DƯ ĐẦU KỲ / OPENING BALANCE:", None, 2_000_000],
        ["SỐ DƯ CUỐI KỲ / CLOSING BALANCE:", None, 3_000_000],
        [],
        ["STT / No.", "Ngày hạch toán / Accounting date", "Mô tả giao dịch / Transaction description",
         "Nợ/ Debit", "Có / Credit", "Số dư TK / Account balance", "Số giao dịch / Transaction number"],
        [1, datetime(2026, 3, 5, 8, 15), f"CT DEN:0123 NGUYEN VAN AN DG {code} {paid} {check}",  # noqa: DTZ001
         None, PAID, 3_500_000, "FT26064001"],
        [2, datetime(2026, 3, 6, 14, 20), f"CT DI DG {code} {debit} QWERT", 500_000, None, 3_000_000,  # noqa: DTZ001
         "FT26065002"],
        ["Tổng / Total", None, None, 500_000, PAID, None, None],
    ]  # fmt: skip
    return rows


def bidv_detail(code: str = CODE, paid: int = 7, check: str = CHECK, debit: int = 8) -> list[list[object]]:
    return [
        ["NGÂN HÀNG TMCP ĐẦU TƯ VÀ PHÁT TRIỂN VIỆT NAM"],
        ["Chi nhánh: BIDV HA TINH"],
        [],
        ["BÁO CÁO CHI TIẾT SỐ DƯ TÀI KHOẢN"],
        ["Từ ngày 01/03/2026 đến ngày 31/03/2026"],
        ["Tên khách hàng:", "QUY THON MAU"],
        ["Số tài khoản:", "21510009999999"],
        ["Số tài khoản cũ:", "5310000999999"],
        ["Loại tiền:", "VND"],
        ["Số dư đầu:", 2_000_000],
        [],
        ["STT", "NGÀY HIỆU LỰC", "GHI NỢ", "GHI CÓ", "SỐ DƯ", "MÔ TẢ"],
        [1, datetime(2026, 3, 5), None, PAID, 3_500_000,  # noqa: DTZ001
         f"IBFT DG {code.upper()} {paid} {check} NGUYEN VAN AN"],
        [2, datetime(2026, 3, 6), 500_000, None, 3_000_000, f"DG {code.upper()} {debit} QWERT"],  # noqa: DTZ001
        ["Cộng phát sinh", None, 500_000, PAID, None, None],
        ["Số dư cuối:", None, None, None, 3_000_000],
    ]  # fmt: skip


def acb_statement(
    code: str = CODE, paid: int = 7, check: str = CHECK, debit: int = 8
) -> list[list[object]]:
    """ACB's "BẢNG SAO KÊ GIAO DỊCH" on a sheet named "Statement", as the same public parser
    reads it (module "ACB bank statement parser", fxParse_ACB_Transactions): the account
    number and currency in the first 8 rows; "Số dư đầu" and "Số dư cuối" as labels with
    their values in the row below (row 7, columns D and G); the header found within the
    first 15 rows by "NGÀY GIAO DỊCH", "RÚT RA", "GỬI VÀO", "NỘI DUNG" (row 8 when not);
    columns by position: date, transaction number, description, money out, money in,
    balance, then the counterpart's name and account."""
    return [
        ["NGÂN HÀNG TMCP Á CHÂU"],
        ["BẢNG SAO KÊ GIAO DỊCH"],
        ["Số tài khoản: 9999999", None, None, "Loại tiền: VND"],
        ["Tên tài khoản: QUY THON MAU"],
        ["Từ ngày 01/03/2026 đến ngày 31/03/2026"],
        [None, None, None, "Số dư đầu", None, None, "Số dư cuối"],
        [None, None, None, 2_000_000, None, None, 3_000_000],
        ["STT", "Ngày giao dịch", "Số GD", "Nội dung giao dịch", "Tiền rút ra", "Tiền gửi vào",
         "Số dư", "Tên TK đối ứng", "Số TK đối ứng"],
        [1, datetime(2026, 3, 5), "1234", f"dg {code} {paid} {check.lower()} GD 123456-030526 10:21:07",  # noqa: DTZ001
         None, PAID, 3_500_000, "NGUYEN VAN AN", "0351000999999"],
        [2, datetime(2026, 3, 6), "1235", f"dg {code} {debit} qwert", 500_000, None, 3_000_000,  # noqa: DTZ001
         "CONG TY DIEN LUC", "21510009999999"],
    ]  # fmt: skip


def xls(rows: list[list[object]], sheet: str = "Sheet1") -> bytes:
    """A real Excel 97-2003 workbook (BIFF8 in OLE2), written by xlwt as Excel would:
    numbers as numbers, dates as dates with a date format."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    target = workbook.add_sheet(sheet)
    as_date = xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                target.write(r, c, value, as_date)
            elif value is not None:
                target.write(r, c, value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _html_cell(value: object) -> str:
    from html import escape

    if value is None:
        return "<td></td>"
    if isinstance(value, datetime):
        text = value.strftime("%d/%m/%Y %H:%M:%S" if value.hour or value.minute else "%d/%m/%Y")
        return f'<td class="text">{text}</td>'
    if isinstance(value, int) and value > 99:
        return f'<td align="right" style="mso-number-format:\'#,##0\'">{value:,}</td>'
    return f'<td class="text">{escape(str(value)).replace(chr(10), "<br>")}</td>'


def html_xls(rows: list[list[object]], title_colspan: int = 6) -> bytes:
    """The page a bank's "Excel" button sends with a .xls name: Excel's HTML dialect,
    the title rows as cells spanning the table, amounts with thousands commas."""
    head = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office"\n'
        ' xmlns:x="urn:schemas-microsoft-com:office:excel"\n'
        ' xmlns="http://www.w3.org/TR/REC-html40">\n<head>\n'
        '<meta http-equiv=Content-Type content="text/html; charset=utf-8">\n'
        "<meta name=ProgId content=Excel.Sheet>\n"
        "<style>\n br{mso-data-placement:same-cell;}\n .text{mso-number-format:\"\\@\";}\n</style>\n"
        "</head>\n<body>\n<table border=1>\n"
    )
    lines = []
    for row in rows:
        if len(row) == 1:
            lines.append(f'  <tr><td colspan="{title_colspan}"><b>{row[0]}</b></td></tr>')
        else:
            lines.append("  <tr>" + "".join(_html_cell(value) for value in row) + "</tr>")
    return (head + "\n".join(lines) + "\n</table>\n</body>\n</html>\n").encode()


OLD_EXCEL: dict[str, Callable[[], tuple[str, bytes]]] = {
    "vietinbank_xls": lambda: ("LichSuGiaoDich_VietinBank.xls", xls(vietinbank_history())),
    "vietinbank_html_xls": lambda: ("LichSuGiaoDich_VietinBank.xls", html_xls(vietinbank_history(), 7)),
    "bidv_xls": lambda: ("BIDV_SaoKe.xls", xls(bidv_detail(), "BAO CAO")),
    "bidv_html_xls": lambda: ("BIDV_SaoKe.xls", html_xls(bidv_detail())),
    "acb_xls": lambda: ("ACB_Statement.xls", xls(acb_statement(), "Statement")),
    "acb_html_xls": lambda: ("ACB_Statement.xls", html_xls(acb_statement(), 9)),
}
BANKS.update(OLD_EXCEL)
BANKS["vietinbank_history"] = lambda: ("LichSuGiaoDich_VietinBank.xlsx", _xlsx(vietinbank_history()))
BANKS["bidv_detail"] = lambda: ("BIDV_SaoKe.xlsx", _xlsx(bidv_detail()))
BANKS["acb_statement"] = lambda: ("ACB_Statement.xlsx", _xlsx(acb_statement()))
