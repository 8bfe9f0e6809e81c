"""Concepts: how people say a thing and how the policy writes it, one entry per idea.

Each concept names the policy's own words for an idea (looked for in the clauses, so a clause
answers the concepts its text holds) and the spoken words villagers use for it (dialect,
colloquial, abbreviations). One entry serves every question that names the idea, in any
wording. Entries come from language — what people call wages, a contractor, an owner —
never from the question sets. docs/POLICY_QA.md says where the word lists come from.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from handlers.policy.thesaurus import thesaurus_words


@dataclass(frozen=True)
class Concept:
    """An idea: its key, what kind of thing it is, policy words and spoken words."""

    key: str
    kind: str  # who | action | thing | number | place
    policy: tuple[str, ...]  # as the clauses write it (substrings of a clause's sentences)
    spoken: tuple[str, ...]  # as people say it (words, at most 4 characters)


def _c(key: str, kind: str, policy: str, spoken: str) -> Concept:
    return Concept(key, kind, tuple(policy.split()), tuple(spoken.split()))


CONCEPTS: tuple[Concept, ...] = (
    # who
    _c("业主", "who", "业主单位 项目业主", "甲方 业主 建设单位 建设方 项目方 东家 发包方 发包人"),
    _c("当业主", "who", "作为项目业主单位", "当业主 做业主 当甲方 作业主 做甲方"),
    _c(
        "施工",
        "who",
        "施工单位",
        "施工队 工程队 施工方 包工头 承包商 承包方 乙方 工头 包工队 施工企业 建筑公司 工程公司 老板 包工的",
    ),
    _c(
        "劳务组织",
        "who",
        "劳务组织主体 劳务合作社 劳务公司 项目理事会 乡建公司 乡村建设公司",
        "合作社 劳务队 理事会 劳务社 村办公司 乡镇公司 施工班组 班组 工队 队伍 互助组 劳务站 合作组",
    ),
    _c("监理", "who", "监理单位 监理", "监理方 监理公司 监工"),
    _c(
        "群众",
        "who",
        "群众 务工群众 当地群众 村民 务工人员",
        "老百姓 百姓 老乡 乡亲 乡亲们 村民 农民 农户 庄稼人 村里人 本地人 当地人 工人 民工 "
        "农民工 劳力 劳动力 干活的 干活的人 打工的 社员 大伙 大家伙 乡里乡亲 种地的 庄户人 "
        # people by who they are, as villagers name them (north, south-west, south)
        "妇女 婆娘 婆姨 媳妇 堂客 大姐 大嫂 年轻人 后生 小伙子 老表 街坊 邻居 村里的人 "
        "本村人 本乡人 本地的",
    ),
    _c(
        "低收入",
        "who",
        "低收入群众 脱贫群众 重点群体",
        "贫困户 脱贫户 困难户 低收入户 低保户 五保户 穷人 困难群众 困难家庭 建档立卡 监测户 "
        "贫困人口 穷苦人 困难人家 穷人家 家里困难 条件差 弱劳力 半劳力 老弱",
    ),
    _c(
        "发改",
        "who",
        "发展改革部门",
        "发改委 发改局 发改 发改部门 计委",
    ),
    _c("人社", "who", "人社", "人社局 人社部门 劳动局 人力资源"),
    _c(
        "乡镇",
        "place",
        "乡镇 乡镇政府 乡镇人民政府",
        "镇上 镇里 乡里 乡上 镇政府 乡政府 乡镇府 镇子",
    ),
    _c(
        "村",
        "place",
        "村民委员会 村集体经济组织 村级 村集体",
        "村里 村上 村委 村委会 村两委 村子 大队 村集体 "
        # the village as the north-east (屯), the south-west (寨), the north (庄) and 湖北/四川
        # (湾) call it
        "屯子 屯里 咱屯 寨子 寨里 村寨 庄里 庄子 本村 村组 组里 湾里",
    ),
    _c("县", "place", "县级 县域 县政府 市、县", "县里 县上 县城 区县 县级市 本县 咱县 俺县"),
    _c("上级", "place", "上级 省级 省直 省", "上头 上面 上级 省里 省上 领导 上级部门"),
    # （二）: the province's offices keep in step with the ministries in Beijing
    _c(
        "部委",
        "place",
        "国家部委",
        "部委 部里 北京 中央 国家那边 国家层面 国家部门 大部门 中央部门",
    ),
    _c(
        "定点联系",
        "who",
        "定点联系 定点联系人 定点联系单位",
        "联系人 联络人 联络员 包联 挂点 对接人 帮扶人 干部 专人 专门盯 盯项目 对口 对口联系 联系点 包村 包片 驻点 蹲点干部 "
        "盯住 盯工程 盯工地 包干",
    ),
    # actions
    _c(
        "发工钱",
        "action",
        "劳务报酬 报酬发放 按时足额",
        "工钱 工资 干活的钱 劳务费 薪水 薪资 薪酬 工费 人工费 酬劳 工分 辛苦钱 血汗钱 发工资 "
        "发钱 开工资 结工钱 结账 结算 工价 日工资 日薪 报酬 酬金 务工收入 劳务款 工资款 务工费 劳务收入 "
        # paid in full and on time, said plainly (sixth pass)
        "一分不少 足额 如数 全额 拿到手 到手",
    ),
    _c(
        "招标",
        "action",
        "招标投标 公开招标 发包 招投",
        "招标 招投标 投标 竞标 走招标 zb 招标办 比价 议标 揽活 揽工程 接工程 包工程 包活 接活 包出去 给谁干 交给谁 "
        "承揽 承接 能接 接项目 接这个活 包给 揽项目 竞价 竞争 公开竞价 走程序 承包方 承包人 包下来",
    ),
    _c(
        "审批",
        "action",
        "审批 简易审批 立项审批 审批手续",
        "批复 报批 批文 手续 审核 办手续 跑手续",
    ),
    _c("验收", "action", "竣工验收", "验收 完工 交工 收尾 结项 交付 竣工 收工 完工验收 收工检查"),
    _c(
        "管护",
        "action",
        "后期管护 管护 维护 养护",
        "看护 看管 照看 谁来管 管理维护 保养 维修 修缮 没人管 后续管理 管起来 看水渠 看路 看路的 看水 看着点 守护",
    ),
    _c(
        "培训",
        "action",
        "技能培训 培训 以工代训 实训 技能",
        "技术 手艺 学技术 学手艺 本事 本领 培训班 学艺 教技术 带徒弟 技能证 学本事 学习 学开 上课 讲课 学徒 考证 证书 "
        "学会 学成 掌握 发证",
    ),
    _c(
        "评价",
        "action",
        "成效评价 评价",
        "打分 考核 评比 看效果 评估 绩效 排名 评优 考评 评分 测评 评级 好不好 效果咋样 评定 打个分 分数 评分表 有效 有没有效 管不管用",
    ),
    _c(
        "成效",
        "thing",
        "成效明显 积极主动 成效",
        "搞得好 干得好 做得好 弄得好 表现好 效果好 有成绩 先进 成绩 出成绩 干出成绩 见效",
    ),
    _c(
        "激励",
        "action",
        "激励 倾斜支持",
        "奖励 给好处 表彰 奖金 奖补 鼓励 表扬 奖赏 嘉奖 给奖励 奖钱 有奖 倾斜 多给 扶持 加大支持 追加 多拨 优先支持",
    ),
    _c(
        "监管",
        "action",
        "监管 监督 督促检查 核查",
        "监督 检查 查账 抽查 督查 巡查 暗访 监察 盯着 把关 问责 追责 查处 举报 投诉 纪检",
    ),
    _c(
        "线上",
        "thing",
        "线上调度系统 调度监管",
        "网上 线上 信息化 平台 系统 手机上 电脑上 网上能看 监管平台 app 小程序 网站上 信息系统",
    ),
    _c(
        "调度",
        "action",
        "调度 按季度 报送 进展",
        "进度 汇报 上报 统计 通报 报进度 报数 干得咋样 搞得咋样 哪一步 到哪了 搞到哪 进展咋样 汇总 摸底 摸一遍 过一遍 盘一遍",
    ),
    _c(
        "台账",
        "thing",
        "台账 务工台账 发放台账 培训台账",
        "账本 账 记账 花名册 记录 登记表 流水账 账目 明细 登记 记名 登个记 工资表 工资单 考勤表 "
        "考勤 本子 点名册 签到 记工 记工分 工分本 记工本 工时 台帐 帐本 记帐 账本子",
    ),
    _c("清单", "thing", "项目清单 清单", "名单 目录 名录 项目库 列表 单子 项目单 清册 项目表"),
    _c(
        "公益岗",
        "thing",
        "公益性岗位 养护管理员 公益设施管理员 保洁员 协管员 护林员",
        "公益岗 公益岗位 护路员 保洁员 治安员 管理员 看门的 扫大街 打扫卫生 打扫 扫地 扫路 清扫 上岗 安排岗位 给岗位 巡河 护路 门卫 看门 护河 守林 巡山 环卫 环卫工 清洁工 扫马路 保安",
    ),
    _c(
        "合同",
        "thing",
        "劳务用工协议 施工合同 监理合同",
        "合同 协议 签约 用工合同 劳动合同 签字 按手印 签协议 签合同 字据 契约 白纸黑字 签订",
    ),
    _c(
        "腐败",
        "thing",
        "腐败风险",
        "贪污 腐败 回扣 吃回扣 截留 挪用 贪钱 优亲厚友 吃拿卡要 捞钱 中饱私囊 私吞 贪",
    ),
    _c(
        "公示",
        "action",
        "公示公告 公示 公开栏",
        "公开 公示 张榜 贴出来 公布 政务公开 贴公告 公告栏 村务公开 张贴 公告 上墙 晒出来 公开栏 公式 告示 贴告示 布告",
    ),
    _c(
        "分红",
        "thing",
        "资产折股量化分红",
        "分红 分钱 入股 股份 分成 红利 进项 长期收益 常年收益 细水长流 持续收入 年年有",
    ),
    _c(
        "比例",
        "number",
        "比例 不低于",
        "占比 百分比 几成 百分之 多大比例 比重 提成 占多少 给几成 占几成 抽成 份额 多大份 一部分 占大头 大头",
    ),
    _c("确定", "action", "确定 制定 明确", "定 定下来 说了算 拍板 定的 谁定"),
    _c(
        "工钱标准",
        "number",
        "发放标准",
        "一天 每天 日工资 工价 工钱标准 多少钱 给多少 一天多少 按天 按天算 现金 发现金 打卡 银行卡 转账 一卡通",
    ),
    _c("自建", "action", "村民自建 承建", "自己修 自己干 自己建 自个儿 自家干 自己盖 自己搞 自个"),
    _c(
        "设备",
        "thing",
        "机械设备 施工场地",
        "挖掘机 机器 机械 铲车 钩机 设备 开机器",
    ),
    _c(
        "文化",
        "who",
        "知识水平 劳动能力",
        "文化 没文化 识字 不识字 文盲 学历 体力 腿脚 身子骨 干得动 能干活 念书 读书 没念书 念过书 没读书 识字少 文化低 文化不高 没上过学 上过学",
    ),
    _c("实惠", "thing", "实惠 增收", "好处 甜头 收益 划算 得利 多挣 落下 得着 捞着 落着"),
    _c(
        "纳入清单",
        "action",
        "纳入县级 纳入",
        "进清单 入清单 上清单 列入 列进 没进 不在清单 没列入 没进清单 排上号",
    ),
    _c(
        "真实",
        "thing",
        "是否真实",
        "假账 做假账 虚报 冒领 弄虚作假 造假 虚假 作假 糊弄 吃空饷 冒名 顶替 挂名 假名单 虚报冒领 假的 是假的 不真实 对不上账 没干过 没去过",
    ),
    _c(
        "宣传",
        "action",
        "宣传解读",
        "宣传 讲政策 宣讲 解读 讲解 普及 讲一讲 讲清楚 讲明白 说明白 解释 明白纸 宣传单",
    ),
    _c("审计", "action", "审计决算", "审计 决算 算总账"),
    _c(
        "质量",
        "thing",
        "建设质量",
        "质量 豆腐渣 工程质量 偷工减料 质量差 质量问题 返工 不结实 烂尾",
    ),
    _c(
        "党组织",
        "who",
        "乡镇党委 村级党组织",
        "支书 村支书 党支部 书记 村书记 党员 党委 组织委员 带头 领头 带领 村支部 支部 党小组",
    ),
    _c(
        "就业困难",
        "who",
        "外出就业困难 技能较低",
        "出不去 走不开 找不到活 没活干 年纪大 岁数大 身体不好 没技术 出门难 留守 走不了 出不了门 照顾老人 带孩子 带娃 离不开家 没手艺 没本事 出去难 不好找活 "
        "上年纪 上岁数 留守妇女",
    ),
    _c(
        "供需",
        "action",
        "劳务供需",
        "招人 招工 缺人 招不到 人手不够 没人干 找人干活 用人 要人 缺工 对接上 对上号 闲劳力 "
        "富余劳力 闲着的 闲人 人手 缺人手 用工需求 劳力不够 信息不通 两头 对得上 信息对称 两端 "
        "对不上 对不上号 招不来 找不着人 牵线 搭桥 牵线搭桥 对接 外地人 外地队伍 插不上手 轮不上 轮不到 闲着 没活路",
    ),
    _c(
        "基础设施",
        "thing",
        "基础设施建设 村庄建设项目",
        "水渠 修渠 水利 灌溉 水窖 村道 村路 产业路 道路 小桥 塘坝 河道 饮水 管网 田间路 机耕路 "
        "排水沟 蓄水池 护坡 大棚 修路 修桥 铺路 打井 修坝 硬化 梯田 淤地坝 打坝 坝地 堤坝 沟渠",
    ),
    _c("深度", "number", "初步设计深度 达到初步设计要求", "程度 深度 多细 多详细 详细 细到"),
    _c(
        "法规",
        "thing",
        "招标投标法 依法",
        "法律 法规 法条 法律依据 违规 违法 犯法 合规 合法 不合规",
    ),
    _c(
        "适用范围",
        "thing",
        "实施范围 应用尽用 适合人工作业",
        "适用 适合 范围 哪些项目 啥项目 人工 手工 人力 靠人力 哪些活 啥活 能用就用 尽量用 尽量让 都该用",
    ),
    _c(
        "部门协作",
        "action",
        "协作 会同",
        "配合 打配合 互相配合 搭把手 联手 一块干 一起配合",
    ),
    _c(
        "农业农村部门",
        "who",
        "农业农村等部门",
        "农业局 农委 农业部门 农经站 农业口 农口",
    ),
    _c(
        "一线调研",
        "action",
        "田间地头 项目一线 考察调研",
        "下村 下乡 下基层 下来看 实地 现场看 跑现场 蹲点 走访 调研 到村里 下地头 来村里 常来 实地看 下去看 入户 下来指导 来看看 来过 没来过 不来 不露面 见不着 一年到头 很少来",
    ),
    _c(
        "动员",
        "action",
        "组织动员 动员",
        "发动 叫人 喊人 组织人 召集 拉人 号召 组织群众 发动群众 组织起来 带动 吆喝 不愿意 不乐意 不想来 不积极",
    ),
    _c(
        "参与",
        "action",
        "参与",
        "参加 加入 入伙 掺和 去参加 算上 算一个",
    ),
    _c("资金来源", "thing", "资金", "钱从哪来 哪来的钱 国家的钱 上面的钱 财政的钱"),
    _c(
        "牵头",
        "who",
        "牵头 负总责",
        "主管 谁牵头 管这事 归谁管 主抓 挑头 挑大梁 打头 抓总 出面 拿总 张罗 召集人 领头",
    ),
    _c(
        "协调",
        "action",
        "沟通协调机制 部门协同 协同 合力",
        "拢到一块 凑一块 协调 统筹 一起商量 坐一块 一起抓 联动 沟通 商量 碰头 联络 一股绳 拧成 各管各 各自为战 拉到一起 拉一块 凑一起",
    ),
    _c(
        "推荐就业",
        "action",
        "推荐给 后续务工就业 务工人员信息",
        "介绍工作 介绍活 推荐 找下家 下一份活 别的活 接着干 还有活 介绍 后续就业 长期就业 稳定就业 转岗 长期活",
    ),
    _c(
        "资金",
        "thing",
        "资金 财政资金 专项资金",
        "经费 拨款 资金 投资 补助款 项目款 要钱 花钱 收钱 收费 掏钱 自己掏 交钱",
    ),
    _c(
        "务工",
        "action",
        "务工 就业",
        "干活 打工 做工 上工 出工 挣钱 找活 活干 务工 找工作 活儿 活计 干完活",
    ),
    # ideas each clause writes that no entry above names (from the clause texts)
    _c(
        "责任",
        "thing",
        "推广责任 责任分工 监管责任",
        "责任 担责 职责 分工 担子 管事 管不管事",
    ),
    _c(
        "简化",
        "action",
        "简化 一次审批 合并为 同步办理",
        "简化 简单点 省事 少跑 跑一趟 一次办 精简 快点批 省掉 不用报 一块办 跳过 省去 免掉 不用做 免报 不报批 少一步 省一步 "
        "一次批 一起批 一块批 合成一本 合到一起 并成一个",
    ),
    _c(
        "前期文件",
        "thing",
        "可行性研究报告 初步设计 项目建议书 工程概算",
        "可研 可研报告 设计 图纸 设计图 概算 预算 建议书 初设 前期手续 论证报告 论证 可行性 立项报告 设计方案 方案 出设计",
    ),
    _c(
        "用地环评",
        "thing",
        "用地 环评 规划",
        "用地手续 环评手续 环境评价 规划许可 土地手续 用地审批",
    ),
    _c(
        "调整",
        "action",
        "动态调整 滚动管理",
        "调整 随时改 变动 增减 更新 改动 变更 换项目 加进去 补进去 删掉 重新定 重定 重新排 改一改 换一换 往里补 往里加 补进 加进 中途 半路 半道 中间加",
    ),
    _c("国企", "who", "县级国企 带镇村", "国企 国有企业 城投 城投公司 国有公司 县属企业"),
    _c(
        "经验",
        "thing",
        "好经验好做法 梳理总结",
        "经验 好做法 典型 总结 取经 先进经验",
    ),
    _c(
        "结果运用",
        "thing",
        "评价结果 重要参考 结果运用",
        "结果 用处 有啥用 参考 挂钩 打分结果 评比结果 干嘛用 啥用 用在哪 拿来干",
    ),
    _c(
        "技工",
        "thing",
        "力工 技工 技能水平",
        "大工 小工 技术工 师傅 熟练工 手艺人 力气活 出力气 苦力 技术活",
    ),
    _c(
        "务工信息",
        "thing",
        "妥善保存",
        "档案 资料 存档 个人信息 信息登记 留着 存着 留底 存下来",
    ),
    _c(
        "指导",
        "action",
        "业务指导 技术支持",
        "指导 技术指导 技术帮助 出主意 支招 帮扶指导",
    ),
    _c(
        "组织模式",
        "thing",
        "劳务组织模式 劳务组织新模式",
        "组织方式 用工模式 咋组织 怎么组织 组织形式 干法",
    ),
    _c(
        "赈济模式",
        "thing",
        "综合赈济模式 新赈济模式 新型赈济模式",
        "几种模式 两类模式 综合模式 组合拳 一揽子 赈济 两套 组合 打法 组合打法 套路 哪一套 哪种模式 "
        "一个包 捆在一起 捆绑 打捆",
    ),
    _c(
        "重点工程",
        "thing",
        "重点工程项目 重点工程",
        "大工程 大项目 重点项目 高速 高速公路 修高速 国道 省道 大水库",
    ),
    _c(
        "年度",
        "number",
        "按年度 年度",
        "年年 每年 每一年 一年一 一年一次 一年一回 一年一定 一年一报",
    ),
    _c(
        "总额",
        "number",
        "资金总额 总投资",
        "总数 总额 总共 一共 总量 合计 总钱数 总金额 总盘子 全部的钱",
    ),
    _c(
        "内生动力",
        "thing",
        "内生发展动力",
        "内生动力 等靠要 志气 干劲 心气 精气神 自力更生 靠自己 勤劳致富 懒汉 扶志 不想干",
    ),
    _c(
        "财政评审",
        "action",
        "财政评审 财评中心",
        "财评 评审 预算评审 审预算 财政审核 评审中心 财政局审 核造价 审造价 核预算 管钱的",
    ),
    _c("采购", "action", "招标采购", "采购 买材料 进材料 采买 买设备 购买 进货 材料采购"),
    _c(
        "长期效益",
        "thing",
        "长期发挥效益",
        "用得久 长久 长期用 管用 闲置 荒废 没人用 长远 持久 白修了 撂荒 用不上 浪费 白费 白搭",
    ),
    _c(
        "就业容量",
        "number",
        "就业容量",
        "多用人 多安排人 多招人 多吸纳 容纳 安置 多些人 更多人 用更多人",
    ),
    _c(
        "规模",
        "number",
        "扩大 规模 项目数量",
        "规模 多搞 多建 越来越多 增加 数量 多上 铺开 多弄 往上加 年年多 逐年 加码 多投 逐年 越搞越大 扩大",
    ),
    # Sixth pass: what each clause is *for* and *who acts*, read from its verbs, actors and
    # goals, each with the plain words of someone who describes the situation instead of
    # naming the clause's nouns (docs/POLICY_QA.md, "Sixth pass"). The policy words are the
    # clause's own; the spoken ones say the same thing as a villager or a clerk would.
    # （一） the funds the 15% is reckoned on, and its goal: use hands wherever they can be used
    _c(
        "衔接资金",
        "thing",
        "衔接推进乡村振兴补助资金",
        "衔接资金 帮扶资金 扶贫资金 振兴资金 衔接款 扶贫款 补助资金 拨的钱 拨下来 上面拨",
    ),
    _c(
        "尽量采用",
        "action",
        "尽可能采用 挖掘适合人工作业",
        "尽量 尽可能 凡是 但凡 能用人 靠人工 人工干 人力干 多用人工",
    ),
    # （二） who answers for what between the province and the counties, and the offices
    # that must work together
    _c(
        "分级负责",
        "thing",
        "省负总责 市县抓落实 省级相关部门",
        "兜底 总负责 负总责 抓落实 各管 各管各 分级 谁兜底 各管哪",
    ),
    _c(
        "行业部门",
        "who",
        "相关行业部门 行业部门",
        "交通局 水利局 住建局 林业局 交通部门 水利部门 行业主管 主管部门 各个局 那些局 几个局 好几个局 各局",
    ),
    _c(
        "跨部门",
        "action",
        "跨部门 重点任务和责任分工",
        "沾边 分派 派任务 分任务 分派任务",
    ),
    # （三） a project of the fund set beside a listed one, listed projects first in line for the
    # fund; （九） who comes first for the posts
    _c("配套项目", "thing", "为之配套", "配套 配一个 配个 搭配 捎带 附带 另配 配上"),
    _c(
        "优先",
        "action",
        "优先考虑安排 优先吸纳",
        "优先 先给 优先拿 先安排 先紧着 照顾 先考虑 排在前",
    ),
    # （四） the approved report stands for the later steps
    _c(
        "依据",
        "thing",
        "可作为项目招标采购 为依据",
        "依据 凭据 凭证 拿来用 直接用 算数 作数 当依据 照着办",
    ),
    # （七） training fitted to what the worker knows and can do
    _c(
        "针对性",
        "thing",
        "有针对性",
        "因人而异 跟得上 跟不上 学得会 学不会 量身 分人 针对 对路",
    ),
    # （八） the second model: infrastructure that serves a village's industry
    _c(
        "产业配套",
        "thing",
        "农村产业发展配套基础设施",
        "冷库 产业园 养殖场 产业 晾晒场 仓库 厂房 特色产业 产业项目 种养",
    ),
    # （十） how often wages are paid is the builder's to fix
    _c(
        "发放周期",
        "number",
        "周期",
        "周期 月结 日结 周结 按周 按月 一结 多久一发 几天一发",
    ),
    # （十一） a fixed contact changes nobody's job, duty or channel of money
    _c(
        "三不变",
        "thing",
        "职能不变 责任不变 渠道不变",
        "渠道 路子 门路 不变 跟着变 原来的 原样 照旧",
    ),
)


@functools.cache
def spoken_index() -> dict[str, tuple[str, ...]]:
    """Spoken or policy word -> the keys of the concepts it names.

    The thesaurus adds, per concept, the kept synonyms of its policy and spoken words
    (handlers/policy/data/thesaurus.txt, filtered from 同义词词林).
    """
    out: dict[str, list[str]] = {}
    for concept in CONCEPTS:
        words = [*concept.spoken, *concept.policy, *thesaurus_words(concept.key)]
        for word in words:
            keys = out.setdefault(word, [])
            if concept.key not in keys:
                keys.append(concept.key)
    return {w: tuple(keys) for w, keys in out.items()}


@functools.cache
def by_key() -> dict[str, Concept]:
    return {c.key: c for c in CONCEPTS}


def concept_words(key: str) -> tuple[str, ...]:
    """How the policy writes a concept."""
    concept = by_key().get(key)
    return concept.policy if concept else ()


def concept_term(key: str) -> str:
    """The pseudo-word a clause holds for a concept (never typed by anybody)."""
    return "§" + key


def concepts_in(text: str) -> list[str]:
    """The concepts whose policy words a normalised text holds (a clause's sentence)."""
    return [c.key for c in CONCEPTS if any(word in text for word in c.policy)]
