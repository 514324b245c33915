"""Vietnamese for the issue 15 audit: the operations commands speak DEFAULT_LOCALE."""

VI = {
    "backup written to {path} ({size} bytes)": "đã sao lưu cơ sở dữ liệu vào {path} ({size} byte)",
    "restored {path}; start the bot (it applies any newer migrations first)": "đã khôi phục {path}; hãy khởi động bot (bot tự áp dụng các bản cập nhật cơ sở dữ liệu mới hơn trước)",
    "exported {total} rows of village {code} to {target}": "đã xuất {total} dòng dữ liệu của thôn {code} vào {target}",
}
