"""Neighbouring programmes: the rural-support, social-security and subsidy schemes people live
with and confuse with 以工代赈. A question about one of them is told honestly that this policy
does not cover it, and where to ask — never given a clause.

The list follows the national and provincial programme names (民政: 最低生活保障, 特困人员救助
供养, 临时救助, 残疾人两项补贴, 高龄津贴; 医保: 城乡居民医保, 大病保险, 医疗救助; 人社: 城乡
居民养老保险, 失业/工伤保险, 就业创业补贴; 住建: 农村危房改造, 公租房; 乡村振兴: 易地扶贫搬迁,
雨露计划, 小额信贷; 农业农村: 耕地地力保护补贴, 种粮/农机购置补贴; 林草: 退耕还林, 生态护林员;
教育: 学生资助; 退役军人优抚, 计生奖扶; 征地和赔偿; 改厕, 产业奖补, 防返贫监测,
光伏扶贫, 驻村帮扶, 农民工工资保证金, 职业技能补贴), not from any question set.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

# Person forms are people the policy may mean (its 低收入群众), not the programme itself.
PERSON_FORMS = ("低保户", "五保户", "特困户", "低保对象", "低保家庭")
# ... unless the question asks what such a person receives (每年给多少): that is the programme.
BENEFIT_ASK = re.compile(
    r"(领|给|发|补|拿|有)(多少|几个钱|啥钱|几块)|每(年|月|个月)|一(年|个月)能"
    r"|算进|算入|计入|算作|影响|取消|停掉|停发|被停"
)
# Words that name this policy: a programme marked `elsewhere` (work in town, a boss gone with
# the wages) is another matter only when the question is about wages owed (WAGE_TROUBLE) and
# does not place it in 以工代赈 work; 在外地打工的人能干公益岗吗 stays ours, and plain unpaid
# wages (欠薪) stay with the payment clauses and 12333.
OWN_WORDS = ("以工代赈", "农推", "重推", "赈")
WAGE_TROUBLE = re.compile(r"拖欠|欠|不给|没给|要不回|讨|跑了|跑路|不发|没发|赖")


@dataclass(frozen=True)
class Neighbour:
    """A programme: what people call it, its proper name, and who answers for it."""

    names: tuple[str, ...]
    label: str
    ask: str
    elsewhere: bool = False  # only when the question does not name this policy
    # an everyday matter (the weather, the bus): named only when a word of the domain stands
    # beside it (镇上, 县城); alone (今天天气怎么样) the plain refusal says enough
    nearby: bool = False


def _n(
    names: str, label: str, ask: str, *, elsewhere: bool = False, nearby: bool = False
) -> Neighbour:
    return Neighbour(tuple(names.split()), label, ask, elsewhere, nearby)


_MINZHENG = "乡镇民政所或县民政局"
_YIBAO = "县医疗保障局（医保局）"
_RENSHE = "县人力资源和社会保障局（人社局）"
_NONGYE = "乡镇农业服务中心或县农业农村局"

NEIGHBOURS: tuple[Neighbour, ...] = (
    _n("低保 最低生活保障 低保金 低保证", "低保（最低生活保障）", _MINZHENG),
    _n("特困供养 特困人员 特困救助 五保 五保供养", "特困人员救助供养（五保）", _MINZHENG),
    _n("临时救助 急难救助 临时补助", "临时救助", _MINZHENG),
    _n(
        "残疾人两项补贴 残疾人补贴 残疾补贴 护理补贴 残疾人生活补贴 残疾证 残疾人",
        "残疾人两项补贴",
        "乡镇民政所、县民政局或县残联",
    ),
    _n("高龄津贴 高龄补贴 老年人补贴 老人补贴 百岁老人", "高龄津贴", _MINZHENG),
    _n("孤儿 事实无人抚养 孤儿补贴", "孤儿和事实无人抚养儿童保障", _MINZHENG),
    _n(
        "医保 医疗保险 新农合 合作医疗 居民医保 看病报销 住院报销 看病 住院 报销药费",
        "医疗保险（医保）",
        _YIBAO,
    ),
    _n("大病保险 大病救助 医疗救助 大病医保", "大病保险和医疗救助", _YIBAO),
    _n("养老保险 养老金 新农保 退休金 居民养老 养老补贴", "城乡居民养老保险", _RENSHE),
    _n(
        "社保 社保卡 失业保险 失业金 工伤保险 工伤 生育保险 意外险 意外伤害 意外保险 人身保险 "
        "受伤 摔伤 砸伤 碰伤 伤着 伤残 工亡 摔断 骨折 出事故 出了事故 安全事故 工地事故",
        "社会保险",
        _RENSHE,
    ),
    _n(
        "稳岗补贴 创业补贴 就业补贴 交通补贴 创业贷款 创业担保贷款 路费补贴 车费 坐车",
        "就业创业补贴",
        _RENSHE,
    ),
    _n("危房改造 农村危房 危房 房屋改造", "农村危房改造", "乡镇政府或县住房和城乡建设局"),
    _n("公租房 廉租房 保障房 保障性住房 公积金", "住房保障", "县住房和城乡建设局"),
    _n(
        "易地搬迁 易地扶贫搬迁 移民搬迁 生态移民 搬迁安置",
        "易地扶贫搬迁",
        "乡镇政府或县发展改革部门",
    ),
    _n("雨露计划", "雨露计划", "县乡村振兴部门（农业农村局）"),
    _n("小额信贷 扶贫贷款 贴息贷款 小额贷款 富民贷", "小额信贷", "县农业农村局或当地农商银行"),
    _n(
        "种粮补贴 耕地地力 地力补贴 耕地补贴 农机补贴 农机购置 良种补贴 粮食直补 农业保险 "
        "种子补贴 化肥补贴",
        "种粮、耕地地力保护和农机购置补贴",
        _NONGYE,
    ),
    _n("退耕还林 退耕还草 公益林 天然林 草原补奖 生态补偿", "退耕还林和生态补偿", "县林业和草原局"),
    _n("护林员 生态护林员", "生态护林员选聘", "县林业和草原局"),
    _n(
        "教育资助 助学金 助学贷款 营养餐 两免一补 奖学金 学费减免 上学补助 读高中 读大学 上高中 "
        "上大学 读书补助 学费 幼儿园 托儿所",
        "学生资助",
        "学校或县教育局",
    ),
    _n(
        "工资保证金 农民工工资专用账户 工资专户 劳动仲裁 劳动监察",
        "农民工工资保证金和劳动争议",
        "县人社局（劳动保障监察）或拨打 12333",
    ),
    _n(
        "外地打工 在外地 外省 省城 城里打工 在城里 城里工地 进城打工 南方打工 房地产 厂里 工厂里 "
        "包工头跑 老板跑 工头跑 跑路",
        "在别处务工的工资和劳动争议",
        "县人社局（劳动保障监察）或拨打 12333",
        elsewhere=True,
    ),
    _n(
        "工程款啥时候 工程款什么时候 工程款几时 进度款 尾款 啥时候拨 什么时候拨 几时拨 拨下来没",
        "项目资金拨付和工程款结算",
        "项目业主单位、县发展改革部门或县财政局",
    ),
    _n(
        "技能提升补贴 职业技能补贴 培训补贴 技能补贴 就业帮扶车间 扶贫车间 报名考证 去哪考证 "
        "技校 驾校 职业学校",
        "职业技能补贴和就业帮扶车间",
        _RENSHE,
    ),
    _n("改厕 厕所 人居环境 垃圾处理 污水处理", "农村改厕和人居环境整治", "县农业农村局"),
    _n("产业奖补 到户产业 产业补贴 种养补贴 养殖补贴", "产业奖补", _NONGYE),
    _n("防返贫 返贫监测 监测帮扶 防止返贫", "防止返贫监测帮扶", "乡镇政府或县乡村振兴部门"),
    _n("光伏 光伏扶贫 光伏电站", "光伏扶贫", "县发展改革部门（能源）"),
    _n("第一书记 驻村工作队 驻村干部 驻村第一书记", "驻村帮扶", "县委组织部或乡镇党委"),
    _n("丧葬补贴 丧葬费 殡葬补贴", "丧葬补贴", _MINZHENG),
    _n(
        "乡村振兴政策 乡村振兴有哪些 扶贫政策 惠农政策 惠民政策 强农惠农",
        "其他乡村振兴和惠农政策",
        "乡镇政府或县乡村振兴部门（农业农村局）",
    ),
    _n(
        "赔偿 咋赔 怎么赔 谁赔 谁来赔 赔不赔 占地 征地 拆迁 补偿款 赔多少 给赔 赔钱 赔给 占了俺 占俺 占我 "
        "占了我",
        "征地、占地和各种赔偿",
        "乡镇政府或县自然资源局（工伤赔偿请问县人社局）",
    ),
    _n(
        "土地流转 流转费 土地租金 地租 租地 鱼塘 承包土地 承包荒山 承包地",
        "土地流转和土地承包",
        "乡镇农经站或县农业农村局",
    ),
    _n(
        "注册资金 注册公司 营业执照 工商登记 开公司 资质",
        "公司注册和资质",
        "县市场监督管理局或行政审批局",
    ),
    _n("村干部工资 村干部待遇 村干部补贴 村干部报酬", "村干部待遇", "乡镇政府或县委组织部"),
    _n("党费 入党 交党费 发展党员", "党员和党费", "村党支部或乡镇党委"),
    _n(
        "选举 换届 选村长 村官 大学生村官 公务员 事业编 招考 招会计 选会计 当会计 会计岗 招出纳 当出纳 "
        "工厂 厂子 厂里 进厂 招聘会",
        "村级选举和其他招考招聘",
        "乡镇政府或县人社局",
    ),
    _n("取暖 煤改气 煤改电 清洁取暖 烧煤", "冬季清洁取暖", "乡镇政府或县发展改革部门"),
    _n("集体收入 集体收益 集体资产", "村集体收入和资产管理", "乡镇农经站或村务监督委员会"),
    _n(
        "管饭 吃饭 住宿 包吃 包住 吃住 管吃 管住 伙食 工棚 下雨天 下雨了 下雪天 雨天 几点上班 "
        "几点下班 几点上工 几点收工 上工时间 收工时间 钟头 午休 歇晌 双休 周末 带工具 安全帽 劳保用品 "
        "几个小时 几小时 工作时长 加班 加班费 节假日",
        "工地上的食宿、作息和劳保",
        "项目施工单位或带班的人",
    ),
    _n(
        "宅基地 建房审批 盖房审批 农房审批 自建房",
        "农村宅基地和建房审批",
        "乡镇政府或县自然资源局、县农业农村局",
    ),
    _n(
        "交税 纳税 个税 个人所得税 税务 税收 扣税 发票 税率 完税",
        "税收",
        "县税务局",
    ),
    _n(
        "保修期 保修 质保期 质保金 质量保证金",
        "工程质量保修",
        "项目业主单位或县住房和城乡建设局",
    ),
    _n("申报入库 项目入库 入库 出库", "乡村振兴项目库", "县乡村振兴部门（农业农村局）"),
    _n(
        "投诉电话 打哪个电话 哪个电话 维权 讨薪 讨工钱 要工钱",
        "欠薪投诉",
        "县人社局（劳动保障监察）或拨打 12333",
        elsewhere=True,
    ),
    _n(
        "退休 超龄 年龄限制 年龄上限",
        "务工年龄和退休人员用工",
        _RENSHE,
    ),
    _n(
        "红白喜事 办酒席 酒席 婚丧嫁娶 彩礼 移风易俗 过寿 寿宴 满月酒 压岁钱",
        "红白喜事和移风易俗",
        "村红白理事会或乡镇民政所",
    ),
    _n("户口 落户 迁户口 身份证 户籍", "户籍和身份证", "乡镇派出所"),
    _n("结婚证 结婚登记 离婚", "婚姻登记", "县民政局婚姻登记处"),
    _n(
        "电费 停电 自来水 水费 宽带 网费 通电 通网 网络信号 手机信号",
        "水、电和网络",
        "乡镇供电所、县水务部门或通信运营商",
    ),
    _n(
        "养鸡 养猪 养牛 养羊 养鸭 养鹅 养鱼 养蜂 养兔 种菜 种果树 种药材 种茶 种蘑菇 病虫害 打药 施肥 "
        "种植技术 养殖技术",
        "种植养殖技术",
        "乡镇农业技术推广站或县农业农村局",
    ),
    _n("污染 排污 噪音 环保投诉", "环境污染投诉", "县生态环境部门或拨打 12369"),
    _n(
        "打官司 起诉 法律援助 律师 法院 告状 告他 去告 状告 怎么告 咋告 上诉 立案 判决 纠纷 调解",
        "法律援助和诉讼",
        "乡镇司法所或县法律援助中心",
    ),
    # work for a private person (a house, a shop): no public project, so none of its rules
    _n(
        "私人老板 私人工地 私人的活 私活 给私人 帮私人 替私人 个人老板 私人盖房 私人建房 自家盖房 "
        "自己家盖房 帮人盖房 盖私房",
        "给私人干活的用工和合同",
        "县人社局（劳动合同）或乡镇司法所；被欠工钱可拨打 12333",
    ),
    _n(
        "驾照 驾驶证 行驶证 年审 车检 违章 罚单 考驾照",
        "驾驶证和车辆管理",
        "县公安局交警大队或车管所",
    ),
    _n("最低工资 最低工资标准", "最低工资标准", _RENSHE),
    _n("受灾 救灾 灾后重建 洪水 地震 冰雹", "自然灾害救助", "乡镇政府或县应急管理局"),
    _n(
        "优抚 退役军人 计划生育奖励 独生子女费 奖扶",
        "优抚和计生奖扶",
        "县退役军人事务局或县卫生健康局",
    ),
    # Sixth pass: everyday matters asked with a word of the domain nearby (镇上, 县城, 资金)
    _n(
        "天气 下雨 下大雨 刮风 下雪 气温 天气预报 降温",
        "天气",
        "县气象局，或拨打 12121 天气预报热线",
        nearby=True,
    ),
    _n("逢集 赶集 集市 集日 庙会", "集市和赶集", "乡镇政府或县市场监督管理局", nearby=True),
    _n(
        "班车 发车 公交 客车 车票 长途车 坐车",
        "班车和交通出行",
        "县交通运输局或汽车站",
        nearby=True,
    ),
    _n(
        "判几年 判刑 坐牢 量刑 刑期 蹲监狱 判多久",
        "刑事责任和量刑",
        "县公安局、检察院或法院（问题线索可向县纪委监委举报）",
    ),
    _n("公证 公证处 公证书", "公证", "县公证处或县司法局"),
    # Everyday services people ask any bot about; no clause touches them, so named at all
    # they are the service's own business (查 in 查快递 would otherwise read as 检查)
    _n(
        "快递 包裹 取件 寄件 驿站 外卖 话费 充话费 流量 宽带 电费 水费 燃气费 煤气费",
        "快递、话费和水电燃气缴费",
        "快递或邮政网点、通信运营商（10086/10010/10000），水电燃气问供电所、自来水或燃气公司",
    ),
)

HOTLINE = "12345 政务服务便民热线"


@functools.cache
def _pattern() -> re.Pattern[str]:
    names = sorted({name for n in NEIGHBOURS for name in n.names}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


@functools.cache
def _owner() -> dict[str, Neighbour]:
    return {name: n for n in NEIGHBOURS for name in n.names}


# How many projects or how much money a county has this year: local figures no policy holds.
LOCAL_FIGURES = re.compile(
    # (把几个, 好几个, 这几个: a few, said, not asked)
    # (几个老党员商量: a few people said, then what they did)
    r"(俺|我们|咱|本|我|你们)(县|市|乡|镇|村).{0,10}"
    r"((?<![把好这那])几个(?![^，。,？?]{0,5}(商量|合计|凑钱|凑一起|一起|带头|牵头))"
    r"|多少个|多少钱|多少资金|有多少)"
    r"|今年.{0,10}(几个|多少个)|(资金|钱)(有|一共|总共)多少(?!要|得|该|能|用|发|给)"
    # this year's projects of one's own county, or their list sent over
    r"|(俺|我们|咱|本|我|你们)(县|市|乡|镇|村)今年.{0,6}有哪些.{0,4}项目"
    r"|(名单|清单).{0,6}(发我|发给我|给我发|发俺|给俺发|发一份)"
)  # … but 钱有多少要发给干活的 asks for a share
LOCAL = Neighbour(("本地",), "本地的项目个数和资金数额", "县发展改革部门（以工代赈办）或乡镇政府")


# The asker saying who they are: a programme named there is their post, not their question
# (俺是驻村第一书记，想让村党支部把群众组织起来 asks about 以工代赈 work).
ASKER = re.compile(r"(俺|我|咱|本人)(是|当|做)[^，。,.？?！!]{0,10}$")
# … or naming themselves before the question (驻村工作队问：…, 第一书记想了解：…)
ASKED_BY = re.compile(r"^[^，。,.？?！!：:]{0,14}(问|想问|想了解|咨询|请教|反映|来问|提问)[：:，,]")
# a company a township, a county or a village collective sets up is （六）'s 乡建公司 or
# 县级国企, not a private firm's registration (乡镇开公司组织老百姓施工)
PUBLIC_FOUNDER = re.compile(
    r"((乡镇|镇里|镇上|乡里|县里|县级|村集体|集体)[^，。,.？?！!]{0,4}|(镇|乡|县)?政府)$"
)
FOUNDED = ("开公司", "办公司", "注册公司")
# the other programme named as what a project builds (人居环境整治项目, 修村里的公共厕所) in a
# question about this programme's ways (who works, how organised, what posts): the kind of
# project, not the programme asked about
BUILT = re.compile(r"(修|建|盖|搞|改造)[^，。,.？?！!]{0,5}$")
AS_PROJECT = re.compile(r"(整治|改造|建设)?(项目|工程)")
OUR_WAYS = (
    *OWN_WORDS,
    "公益性岗位",
    "公益岗",
    "组织模式",
    "赈济模式",
    "务工",
    "组织村民",
    "组织群众",
)


def _frames_the_question(text: str, match: re.Match[str], asker_end: int, our_ways: bool) -> bool:
    """Whether a programme's name, where it stands, says who asks or what the project is
    rather than what is asked about: the asker's post (俺是驻村第一书记，…; 驻村工作队问：…),
    a company a township sets up (乡镇开公司…), the kind of project this programme's ways are
    asked of (人居环境整治项目…组织模式)."""
    start, end = match.span()
    if ASKER.search(text, max(0, start - 14), start) or end <= asker_end:
        return True
    if match.group() in FOUNDED and PUBLIC_FOUNDER.search(text, max(0, start - 10), start):
        return True
    built = AS_PROJECT.match(text, end) or BUILT.search(text, max(0, start - 6), start)
    return bool(built) and our_ways


def neighbours_named(text: str) -> list[tuple[Neighbour, str]]:
    """The programmes a normalised question names, each with the name it used (person forms
    such as 低保户 aside)."""
    local = LOCAL_FIGURES.search(text)
    if local and "比例" not in text:  # a share asked about is the policy's 15%
        return [(LOCAL, local.group())]
    if not _pattern().search(text):
        return []
    if not BENEFIT_ASK.search(text):
        for form in PERSON_FORMS:
            text = text.replace(form, "")
    ours = any(word in text for word in OWN_WORDS) or not WAGE_TROUBLE.search(text)
    asker = ASKED_BY.match(text)
    asker_end = asker.end() if asker else 0
    our_ways = any(word in text for word in OUR_WAYS)
    out: dict[Neighbour, str] = {}
    for match in _pattern().finditer(text):
        found = match.group()
        if _frames_the_question(text, match, asker_end, our_ways):
            continue
        owner = _owner()[found]
        if not (owner.elsewhere and ours):
            out.setdefault(owner, found)
    return list(out.items())
