"""Domain vocabulary for policy matching: user-dictionary terms, synonyms and stopwords.

The synonym table maps how people talk to how the policy is written. It holds general
colloquial/official pairs only; questions from the development set are never copied here.
"""

from __future__ import annotations

import functools

# Terms jieba must keep whole (and the targets of typo correction when 4+ characters long).
_DOMAIN_TEXT = """
    以工代赈 以工代训 重推 农推 劳务报酬 劳务报酬发放 公益性岗位 定点联系 定点联系人
    定点联系单位 综合赈济模式 赈济模式 资产折股量化分红 衔接资金 专项资金
    以工代赈专项资金 财政资金 项目清单 务工台账 群众务工台账 发放台账 劳务报酬发放台账
    培训台账 技能培训台账 技能培训 劳务组织 劳务组织主体 项目理事会 劳务合作社
    股份经济合作社 劳务公司 乡建公司 乡村建设公司 村集体经济组织 农村集体经济组织
    业主单位 施工单位 监理单位 可行性研究报告 初步设计 财政评审 立项审批 简易审批
    竣工验收 审计决算 成效评价 线上调度系统 后期管护 道路养护 环境卫生保洁员
    生态护林员 治安联防协管员 公益设施管理员 脱贫群众 低收入群众 务工群众 务工人员
    劳务用工协议 施工合同 监理合同 公示公告 公开招标 招标投标 发包 实训 力工 技工
    沟通协调机制 发展改革部门 行业部门 人社 县级国企 乡镇政府 村民委员会 腐败风险
    按季度 专项投资 动态调整 滚动管理 就业技能培训 劳动技能培训 务工技能
"""
DOMAIN_TERMS: tuple[str, ...] = tuple(_DOMAIN_TEXT.split())

# Kinds of project the policy rules on apart (its own names first): a sentence about one kind
# alone does not answer a question about another — 重推's share is not 农推's 15%.
KINDS: tuple[tuple[str, ...], ...] = (
    ("重推", "重点工程"),
    ("农推", "农业农村基础设施", "农村基础设施"),
)


def kinds_named(text: str) -> frozenset[int]:
    """Which KINDS a normalised text names."""
    return frozenset(i for i, names in enumerate(KINDS) if any(n in text for n in names))


# Colloquial word -> policy words. Applied at SYNONYM_WEIGHT, below an exact word.
SYNONYMS: dict[str, tuple[str, ...]] = {
    # wages
    "工资": ("劳务报酬",),
    "工钱": ("劳务报酬",),
    "劳务费": ("劳务报酬",),
    "报酬": ("劳务报酬",),
    "薪水": ("劳务报酬",),
    "薪酬": ("劳务报酬",),
    "人工费": ("劳务报酬",),
    "发钱": ("劳务报酬", "发放"),
    "拖欠": ("按时足额",),
    "欠薪": ("按时足额", "劳务报酬"),
    # not paid: the rule broken (按时足额发放) and the rights supervision guards
    "没发": ("按时足额", "合法权益"),
    "未发": ("按时足额", "合法权益"),
    "不发": ("按时足额", "合法权益"),
    "欠发": ("按时足额", "合法权益"),
    "没给": ("按时足额", "合法权益"),
    "不给": ("按时足额", "合法权益"),
    "没收到": ("按时足额", "合法权益"),
    "拿不到": ("按时足额", "合法权益"),
    "没到账": ("按时足额", "合法权益"),
    # how often: a month, a week … is a payment period (发放标准、周期)
    "一个月": ("周期",),
    "每个月": ("周期",),
    "每月": ("周期",),
    "按月": ("周期",),
    "月结": ("周期",),
    "每周": ("周期",),
    "按周": ("周期",),
    "日结": ("周期",),
    "占比": ("比例",),
    "百分比": ("比例",),
    "几成": ("比例",),
    "百分之": ("比例",),
    # procurement
    "招标": ("发包", "招标投标"),
    "招投标": ("招标投标", "发包"),
    "承包": ("发包", "承接"),
    "包给": ("发包",),
    "外包": ("发包",),
    # ledgers and acceptance
    "账本": ("台账",),
    "账": ("台账",),
    "记账": ("台账",),
    "花名册": ("务工台账",),
    "验收": ("竣工验收",),
    "完工": ("竣工验收", "建成"),
    "交工": ("竣工验收",),
    # posts after completion
    "保洁员": ("环境卫生保洁员",),
    "保洁": ("环境卫生保洁员",),
    "护林员": ("生态护林员",),
    "护林": ("生态护林员",),
    "养路": ("道路养护",),
    "修路": ("道路养护",),
    "治安员": ("治安联防协管员",),
    "联防员": ("治安联防协管员",),
    "协管员": ("治安联防协管员",),
    "公益岗": ("公益性岗位",),
    "公益岗位": ("公益性岗位",),
    "管护员": ("后期管护", "公益性岗位"),
    "管护": ("后期管护",),
    "维护": ("管护",),
    # incentives and evaluation
    "奖励": ("激励",),
    "表彰": ("激励",),
    "奖补": ("激励", "倾斜支持"),
    "考核": ("评价", "成效评价"),
    "效果": ("成效",),
    "绩效": ("成效评价",),
    # people and organisations
    "工人": ("务工群众", "务工人员"),
    "民工": ("务工群众", "务工人员"),
    "农民工": ("务工群众", "务工人员"),
    "老乡": ("群众", "当地群众"),
    "老百姓": ("群众",),
    "村民": ("群众", "村民"),
    "本地": ("当地",),
    "本地人": ("当地群众",),
    "当地人": ("当地群众",),
    "干活": ("务工",),
    "打工": ("务工",),
    "做工": ("务工",),
    "上工": ("务工",),
    "贫困户": ("脱贫群众",),
    "脱贫户": ("脱贫群众",),
    "困难户": ("低收入群众",),
    "低收入户": ("低收入群众",),
    "发改委": ("发展改革部门",),
    "发改局": ("发展改革部门",),
    "发改": ("发展改革部门",),
    "人社局": ("人社",),
    "村委会": ("村民委员会",),
    "村委": ("村民委员会",),
    "村集体": ("村集体经济组织", "农村集体经济组织"),
    "合作社": ("劳务合作社", "股份经济合作社"),
    "国企": ("县级国企",),
    "党支部": ("村级党组织",),
    "村党组织": ("村级党组织",),
    "联系人": ("定点联系人",),
    "联络人": ("定点联系人",),
    "联络员": ("定点联系人",),
    "联系单位": ("定点联系单位",),
    "包联": ("定点联系",),
    "监理": ("监理单位",),
    "施工队": ("施工单位",),
    "承包商": ("施工单位",),
    "包工头": ("施工单位", "劳务组织"),
    "甲方": ("业主单位",),
    "业主": ("业主单位",),
    # approval
    "可研": ("可行性研究报告",),
    "初设": ("初步设计",),
    "财评": ("财政评审",),
    "立项": ("立项审批",),
    "申请": ("支持", "安排"),
    "查": ("核查", "检查"),
    "手续": ("审批手续",),
    "简单": ("简化", "简易"),
    "省事": ("简化",),
    "合同": ("施工合同", "劳务用工协议"),
    "协议": ("劳务用工协议",),
    # work and training
    "技术工": ("技工",),
    "技术工人": ("技工",),
    "小工": ("力工",),
    "工地": ("施工场地", "项目一线"),
    "现场": ("项目一线", "施工场地"),
    "学技术": ("技能培训",),
    "手艺": ("技能",),
    "培训费": ("培训资金",),
    # lists and reporting
    "名单": ("清单",),
    "目录": ("清单",),
    "每年": ("年度",),
    "一年": ("年度",),
    "季度": ("按季度",),
    "汇报": ("报送",),
    "上报": ("报送",),
    "进度": ("进展", "调度"),
    "公开": ("公示公告",),
    "公示": ("公示公告",),
    "贪污": ("腐败风险",),
    "腐败": ("腐败风险",),
    "检查": ("督促检查", "核查"),
    "审查": ("核查",),
    # money and places
    "钱": ("资金",),
    "经费": ("资金",),
    "县里": ("县级", "县域"),
    "省里": ("省级",),
    "市里": ("市",),
    "乡里": ("乡镇",),
    "镇里": ("乡镇",),
    "村里": ("村级", "村集体"),
}

# Words that carry no topic: function words and the way questions are asked.
_STOPWORD_TEXT = """
    的 了 吗 呢 啊 吧 呀 嘛 么 哦 噢 哈 啦 喽 咧 是 有 在 和 与 或 及 跟 同 也 都 还 就 又 再 才
    我 我们 咱 咱们 你 你们 您 他 她 它 他们 她们 大家 自己 这 那 这个 那个 这些 那些 这里 那里
    这样 那样 这么 那么 怎 怎么 怎么样 怎样 咋 咋办 咋样 啥 啥子 什么 哪 哪个 哪些 哪里 哪儿
    谁 为什么 为啥 干啥 干嘛 干吗 如何 是否 是不是 能不能 可不可以 要不要 有没有 行不行 对不对
    会不会 算不算 多少 几 几个 多久 多长 多长时间 请问 问 问下 问一下 一下 想 想问 知道
    可以 能 能够 会 要 需要 应该 得 必须 该 给 让 被 把 对 从 向 到 去 来 上 下 里 中 个 些
    一 一个 一些 不 没 没有 别 吗 请 帮 帮我 告诉 说 讲 看 看看 一般 现在 目前 具体 规定
    要求 政策 情况 问题 东西 事 事情 事儿 办 办法 怎么办 怎么搞 行 好 好的 可 而 但 但是 如果
    不能 不会 可否 能否 不要 不用 做 搞 弄 干 当 算 叫 用 占 是啥 是什么 啥意思 什么意思 意思
    一次 至少 最少 最低 后 前 时 以后 之后 以前 之前 时候 的时候
    最多 大概 到底 究竟 还是 或者 已经 应当 允许 不行 行吗 好吗 对吗 吗吗 呗 么样 有啥 没啥
"""
# Dialect and spoken function words (northern Mandarin, 中原/西南/东北 speech): pronouns, the
# ways of asking (中不中, 能…不, 咋整), and fillers that carry no topic.
_SPOKEN_STOPWORD_TEXT = """
    俺 俺们 咱家 咱俩 恁 恁们 人家 额 偶 阿拉 侬 伲 渠 他家 啥个 啥子 咋个 咋整 咋弄 咋搞 咋回事
    咋地 咋的 咋样 咋着 咋说 咋个办 啷个 哪样 么子 莫子 做么子 搞么子 干哈 干啥子 整啥 弄啥
    中不中 管不管 给不给 中不 行不
    得劲 中 木有 冇 莫得 没得 嘛子 晓得 晓不晓得 知不道 不晓得 整 弄 搞 整个 咋 啥 咱 俺
    哈 嘞 咧 喔 哟 呐 嗯 嗷 昂 噻 撒 咯 嘛 哇 滴 的话 那啥 这啥 就是说 我想 想问问 问问 打听
    打听一下 请教 麻烦 麻烦问 老师 同志 师傅 您好 你好 谢谢 谢了 多谢 一下子 到底是
    能给 能让 可以吗 行吗 中吗 成吗 好使 管用 靠谱 有用 一哈 一下下 看着 能看 能看着 看到
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORD_TEXT.split() + _SPOKEN_STOPWORD_TEXT.split())


@functools.cache
def is_stopword(word: str) -> bool:
    """A stopword, or a word made of stopwords only (干什么 = 干 + 什么, 有什么, 没什么 …).

    jieba keeps many question phrases whole; listing every one would never end, and a word
    built only of words that carry no topic carries none either. The caller keeps such a word
    when the clauses hold it (会同, 能用) or it is a noun (同事, 干事).
    """
    if word in STOPWORDS:
        return True
    return any(word[:end] in STOPWORDS and is_stopword(word[end:]) for end in range(1, len(word)))
