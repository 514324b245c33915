"""Vietnamese for the harden branch's new messages (issue 14 and issue 16 #7)."""

VI = {
    "Pledged {pledged}%, received {received}% of the goal {goal}": "Đã cam kết {pledged}%, đã nhận {received}% mục tiêu {goal}",
    "Pledged {pledged}, received {received} (no goal set)": "Đã cam kết {pledged}, đã nhận {received} (chưa đặt mục tiêu)",
}
