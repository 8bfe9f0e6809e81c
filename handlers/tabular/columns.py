"""The import/export columns of SPEC §7, per kind (Chinese headers; order free)."""

from __future__ import annotations

# Where a worker's wages go (bank card / 一卡通 / 社保卡); optional in the workers file.
ACCOUNT_COLUMNS = ["账户类型", "账号", "开户行"]

KINDS: dict[str, list[str]] = {
    "projects": [
        "项目编号",
        "项目名称",
        "类别",
        "清单级别",
        "省",
        "市",
        "县",
        "业主单位",
        "施工单位",
        "劳务组织",
        "财政资金(元)",
        "计划劳务报酬(元)",
        "使用衔接资金",
        "赈济模式",
        "发放日",
        "开工日期",
        "计划完工日期",
        "劳务报酬最低占比",
        "项目年度",
    ],
    "contacts": ["企业微信账号", "姓名", "角色", "单位", "省", "市", "县", "负责项目", "手机"],
    "workers": ["项目编号", "姓名", "身份证号", "手机", "村", "脱贫户", "企业微信账号", "人员类别"]
    + ACCOUNT_COLUMNS,
    "work": ["项目编号", "身份证号", "日期", "天数", "日薪(元)"],
    "wages": ["项目编号", "身份证号", "期间", "金额(元)", "发放日期", "方式", "凭证号"],
    "training": ["项目编号", "身份证号", "日期", "内容", "方式", "学时"],
}

# Kinds that are exported but not imported (posts are registered with 岗位 in chat).
EXPORT_ONLY: dict[str, list[str]] = {
    "posts": [
        "项目编号", "身份证号", "姓名", "岗位类型", "岗位类别", "月薪(元)", "开始日期", "结束日期",
        "人员类别",
    ],
}  # fmt: skip

# Columns that may be left out of a file altogether.
OPTIONAL: dict[str, set[str]] = {
    "projects": {
        "劳务报酬最低占比",
        "业主单位",
        "施工单位",
        "劳务组织",
        "赈济模式",
        "计划完工日期",
        "项目年度",
    },
    "contacts": {"单位", "负责项目", "市", "县", "手机"},
    "workers": {"手机", "村", "脱贫户", "企业微信账号", "人员类别", *ACCOUNT_COLUMNS},
    "work": set(),
    "wages": {"凭证号"},
    "training": set(),
}

# Kinds that are not a table of fixed columns: the 考勤表 grid (one row a worker, one column a
# day). Shared by `yigong import`, file messages and the upload page.
GRID_KINDS: dict[str, str] = {
    "attendance": "考勤表：一行一人（姓名，可有身份证号、日薪），1–31日各一列（√/1 记一天，0.5/半 记半天）",
    "bank-result": "银行代发回单：账号（或卡号）、金额、状态（成功/失败）、失败原因",
}

# Every kind a file can be imported as, by chat, `yigong import` and the upload page alike.
IMPORT_KINDS: tuple[str, ...] = (*KINDS, *GRID_KINDS)
# What a grid may not say itself, given beside the file (chat/CLI options, page form fields).
GRID_OPTIONS: tuple[str, ...] = ("项目", "期间", "日薪")

KIND_ALIASES = {
    "回单": "bank-result",
    "代发回单": "bank-result",
    "bank_result": "bank-result",
    "考勤": "attendance",
    "考勤表": "attendance",
    "出勤": "attendance",
    "项目": "projects",
    "联系人": "contacts",
    "人员": "workers",
    "工人": "workers",
    "务工": "work",
    "记工": "work",
    "发放": "wages",
    "工资": "wages",
    "培训": "training",
    "trainings": "training",
    "岗位": "posts",
    "公益性岗位": "posts",
}

# Header spellings people use for the same column.
HEADER_ALIASES = {
    "财政资金": "财政资金(元)",
    "计划劳务报酬": "计划劳务报酬(元)",
    "日薪": "日薪(元)",
    "金额": "金额(元)",
    "身份证": "身份证号",
    "手机号": "手机",
    "企业微信": "企业微信账号",
    "userid": "企业微信账号",
    "清单年度": "项目年度",
    "年度": "项目年度",
    "重点群体": "人员类别",
    "人员类型": "人员类别",
    "银行卡号": "账号",
    "银行账号": "账号",
    "卡号": "账号",
    "开户银行": "开户行",
}


def kind_of(text: str) -> str | None:
    t = text.strip().lower()
    return t if t in KINDS or t in EXPORT_ONLY or t in GRID_KINDS else KIND_ALIASES.get(t)
