"""A small org file shared by the tests."""

ORG_YAML = """\
communes:
  - code: cam-thanh
    name: Xã Cẩm Thành
    province: Hà Tĩnh
    criteria_set: ntm-2021-2025
    group: 2
    villages:
      - code: nam-bac-thanh
        name: Thôn Nam Bắc Thành
        branch: Chi bộ thôn Nam Bắc Thành
        members:
          - {name: Nguyễn Thị A, role: secretary, phone: "0912000001", telegram_id: 1001}
          - {name: Trần Văn B, role: member, phone: "0912000002"}
          - {name: Phạm Thị D, role: deputy, phone: "0912000005"}
        households:
          - {code: NBT-001, head: Lê Văn C, address: "Xóm 1", cluster: "Tổ 1", flags: [poor], phone: "0912000101", visitor: "0912000002"}
          - {code: NBT-002, head: Hồ Thị E, flags: [policy, near_poor]}
        groups:
          - {telegram_chat_id: -1001000000001, title: "Thôn Nam Bắc Thành"}
      - code: trung-thanh
        name: Thôn Trung Thành
        members:
          - {name: Võ Văn G, role: secretary, phone: "0912000009"}
"""
