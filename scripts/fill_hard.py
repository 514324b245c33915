"""Vietnamese for the hardening branch (issue 8): ``update_locales.py --fill scripts/fill_hard.py``."""

VI = {
    "{weekday}, {date} at {time}": "{weekday}, {date} lúc {time}",
}
