"""Vietnamese for the ux leftovers: the village prompt's phone line, the org file's
errors in the operator's language, the criteria sheet's errors."""

VI = {
    "📱 Party member? You may share your phone with the button below instead.": "📱 Là đảng viên? Đồng chí cũng có thể chia sẻ số điện thoại bằng nút bên dưới.",
}
