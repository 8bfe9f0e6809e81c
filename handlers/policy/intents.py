"""What each clause answers: the question's intent, a tie-breaker between close clauses.

Word weights cannot tell apart two clauses that write the same words for different
questions: （五） and （六） both name 乡村建设公司, 劳务合作社 and 项目理事会, but （五） says
whom a 农推 project may be contracted to without public tender and who may be its owner,
while （六） says how the villagers are organised to build it themselves. What tells them
apart is the verb and its object — 发包给, 作为项目业主单位 against 带领村民自建,
组织当地群众承建 — and, in the question, the frame around the verb: 能承接…不, 能当业主吗,
要不要招标 against 自己修, 带着大伙干.

An intent is one such question. `source` is what a clause writes when it answers it (its verb
and object, read from the policy text: the clause it comes from is named in `answers`, but a
clause carries the intent because its text matches, so an added document's clauses carry the
intents their words give them). `asks` is how a question asks it: an interrogative frame
around the verb (能/可以/要不要/谁/啥 … with the verb or its object, in either order).

The matcher uses intents only between its two best answers when their scores are within
INTENT_MARGIN (matcher.py): the one whose intents the question shares more goes first, so a
confident answer (a clear lead) never changes. docs/POLICY_QA.md, "Tenth pass".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# an interrogative frame: may / must / whether (能…不, 可以…吗, 要不要, 非得, 行不行 …)
_MAY = r"(?:能|可以|可不可以|能不能|能否|可否|让|准|许|行不行|中不中|成不成|是否|必须|非得|非要|要不要|用不用|需不需要|得|要)"
# what a question asks for: who, what, which, how
_WHAT = r"(?:谁|哪个|哪些|哪几|哪类|哪种|啥|什么|么子|咋|怎么|怎样|如何|多少|几)"


@dataclass(frozen=True)
class Intent:
    key: str
    answers: str  # the question, in words; the clause of the built-in policy that answers it
    source: re.Pattern[str]  # what an answering clause writes (its verb and object)
    asks: re.Pattern[str]  # how a question asks it (frame + verb, or verb + frame)


def _intent(key: str, answers: str, source: str, asks: str) -> Intent:
    return Intent(key, answers, re.compile(source), re.compile(asks))


INTENTS: tuple[Intent, ...] = (
    # --- （一）持续扩大实施范围: where it applies, the share of wages, growth ------------------
    _intent(
        "where_applied",
        "which projects use the approach, big works too (（一）: 继续挖掘适合人工作业的建设任务, "
        "尽可能采用以工代赈方式实施)",
        r"适合人工作业",
        r"适合人工|人工作业|(?:也|能|会|要)(?:搞|用|采用|推广|实行)以工代赈",
    ),
    _intent(
        "wage_share",
        "what share of the funds goes to wages (（一）: 劳务报酬发放比例不低于…15%)",
        r"发放比例不低于",
        r"比例|占.{0,6}(?:多少|几)|几成|不低于|\d+%",
    ),
    _intent(
        "grow_scale",
        "whether the investment and the wages grow (（一）: 逐年扩大…规模)",
        r"逐年扩大",
        r"多起来|往上加|越来越多|逐年|扩大|增加|每年多",
    ),
    # --- （五）采用灵活方式发包: tendering, the owner, whom the work may go to --------------------
    _intent(
        "skip_tender",
        "may a project skip public tender (（五）: 依法不进行公开招标)",
        r"不进行公开招标",
        r"(?:不|免|没|别|不用|不走|不搞|" + _MAY + r").{0,4}(?:公开)?(?:招标|招投标|投标|竞价)"
        r"|(?:招标|招投标|投标|竞价).{0,6}(?:吗|不|没|么|行不|中不|合法|合规|违规)",
    ),
    _intent(
        "owner",
        "who may be the project owner (（五）: 乡镇人民政府和村民委员会…作为项目业主单位)",
        r"作为项目业主",
        r"(?:当|做|作为|是|来当)(?:项目)?(?:业主|甲方|东家|建设方)"
        r"|(?:业主|甲方).{0,4}" + _WHAT,
    ),
    _intent(
        "contract_to",
        "to whom may a project be contracted, may a body take it on (（五）: 灵活发包给…劳务组织主体)",
        r"发包给",
        r"(?:包给|发包给|交给|发包|承包|揽活|揽工程|揽项目)"
        r"|" + _MAY + r"(?:直接)?(?:承接|接活|接项目|接工程|接农推|接这个活|拿活|接.{0,4}活)"
        r"|(?:能|可以)(?:直接)?给.{0,6}(?:干|做|修)",
    ),
    # --- （六）创新劳务组织模式: how the villagers are organised to do the work ----------------
    _intent(
        "self_build",
        "how villagers build it themselves under a 理事会 / 乡建公司 / 合作社 (（六）: 带领村民自建, "
        "组织当地群众承建, 直接组织当地群众承接项目建设)",
        r"带领村民自建|组织当地群众承建|组织当地群众承接",
        r"自建|承建|自(?:己|个儿|个|家)(?:组织|成立|修|建|干|做)"
        r"|(?:带|领|带领|带着|领着)(?:着)?.{0,6}(?:干|建|修|做)"
        r"|组织.{0,6}(?:承接|承建|干活|干工程)",
    ),
    _intent(
        "labour_model",
        "which new models of labour organisation (（六）: 劳务组织新模式)",
        r"劳务组织新模式",
        r"劳务组织.{0,4}模式|模式.{0,6}劳务组织",
    ),
    _intent(
        "grow_bodies",
        "how the labour bodies are grown (（六）: 积极培育壮大…劳务组织主体)",
        r"培育壮大",
        r"培育|壮大|做大|做强",
    ),
    _intent(
        "local_role",
        "what the township party committee and government must do (（六）: 发挥核心引领作用, "
        "管理主体职责和监督职责)",
        r"核心引领作用|管理主体职责",
        r"(?:起|发挥|有|担).{0,4}(?:作用|职责)|(?:作用|职责).{0,2}" + _WHAT,
    ),
    # --- （三）分级编制项目清单: the yearly lists, funds matched to listed projects -----------
    _intent(
        "make_list",
        "who draws up the lists, how and how often (（三）: 按年度研究制定…项目清单, 动态调整)",
        r"研究制定.{0,40}清单|清单进行动态调整",
        r"(?:进|上|列进|编|制定|定|调整|更新|增补)(?:那个|这个)?(?:项目)?清单"
        r"|清单.{0,8}(?:一年|每年|年年|年度|谁定|谁编|" + _WHAT + r"定|调整|更新)",
    ),
    _intent(
        "matched_funds",
        "which projects get matching special funds (（三）: 配套的以工代赈专项资金项目, "
        "优先考虑安排以工代赈专项资金)",
        r"配套的以工代赈专项资金|优先考虑安排",
        r"配(?:套|个|一个|上)|优先.{0,10}(?:资金|专项|支持|钱)",
    ),
    _intent(
        "firms_zeal",
        "how owners and builders are made keen to hire villagers (（三）: 调动项目业主单位、"
        "施工单位组织群众务工的积极性)",
        r"调动项目业主单位",
        r"(?:业主|施工|老板|包工头|企业).{0,12}(?:积极|主动|不爱|不愿)"
        r"|(?:积极|主动).{0,12}(?:业主|施工|老板|包工头)",
    ),
    # --- （四）优化项目审批程序: simpler approval ---------------------------------------------
    _intent(
        "simpler_approval",
        "how approval is made simpler and faster (（四）: 简化用地、环评、规划等审批手续, 可以不报批"
        "初步设计, 合并…一次审批, 不再进行财政评审)",
        r"简化用地",
        r"简化|简单点|快一点|快点|快些|少跑|一次审批|合并|不报批|初步设计|不再.{0,4}评审"
        r"|审批.{0,6}(?:快|简|少|省)",
    ),
    # --- （十一）加强项目定点联系: what the liaison units do ----------------------------------
    _intent(
        "liaison_duties",
        "what the liaison units and persons do (（十一）: 常态化联系…项目, 深入田间地头…考察调研, "
        "宣传解读…政策要求, 报送…)",
        r"常态化联系",
        r"定点联系.{0,8}(?:干|做|职责|任务|"
        + _WHAT
        + r")|调研|宣传|解读|报送|下(?:乡|村|工地|一线)",
    ),
    # --- （十二）抓好评价结果运用: departments' zeal, rewards ---------------------------------
    _intent(
        "departments_zeal",
        "how the departments are made keen (（十二）: 提高各相关部门实施以工代赈的积极性)",
        r"提高各相关部门",
        r"部门.{0,12}(?:积极|主动)|(?:积极|主动).{0,12}部门",
    ),
    # --- （二）压紧压实推广责任: who is responsible, where villagers are mobilised -------------
    _intent(
        "who_leads",
        "who is responsible, who leads (（二）: 省负总责、部门协同、市县抓落实, 牵头建立…机制)",
        r"省负总责",
        r"(?:谁|哪个部门|哪级|哪一级|哪个局).{0,3}(?:负责|牵头|管|抓)"
        r"|(?:负责|管)(?:什么|啥)|是.{1,8}还是.{1,8}(?:管|组织|负责)",
    ),
    _intent(
        "mobilise_where",
        "where the villagers are mobilised from (（二）: 以县域为主组织动员当地群众参与)",
        r"以县域为主组织动员",
        r"(?:县里|省里|县域|范围|本地|当地|跨省|跨县|外地|外村).{0,8}(?:组织|动员|招|来干)"
        r"|以.{0,4}为主",
    ),
    # --- （八）推广新型赈济模式 / （九）强化项目后期管护: the public posts ---------------------
    _intent(
        "more_benefit",
        "what villagers get besides wages (（八）: 资产折股量化分红…让群众得到更多实惠)",
        r"得到更多实惠",
        r"除了.{0,6}(?:工钱|工资|劳务报酬|报酬|钱)|(?:得到|得|分到|拿到)(?:啥|什么|哪些)"
        r"|实惠|分红|折股",
    ),
    _intent(
        "set_posts",
        "which and how many public posts are set, for whom (（九）: 合理设置…后期管护公益性岗位, "
        "聚焦…低收入群众, 优先吸纳)",
        r"合理设置",
        r"(?:设|设置|安排|开)(?:了)?.{0,4}(?:岗|员)|岗位?.{0,6}(?:设|多少|几个|哪些|给谁|谁能)"
        r"|(?:谁|哪些人|啥人).{0,6}(?:上岗|当.{0,4}员)",
    ),
    # --- （七）加强务工技能培训: the trained workers' records ----------------------------------
    _intent(
        "keep_records",
        "what becomes of the trained workers' records (（七）: 妥善保存…务工人员信息, 推荐给…)",
        r"妥善保存",
        r"(?:登记|记下|保存|存).{0,8}(?:干啥|搞么子|做什么|干什么|有啥用|什么用|为啥|丢)"
        r"|推荐",
    ),
    # --- （十）全流程常态化监督: where the contracting is published, what acceptance checks ---
    _intent(
        "publicise",
        "where the contracting is published for all to see (（十）: 在项目发包阶段…在县政府网站、"
        "…村务公开栏等平台进行公示公告)",
        r"进行公示公告",
        r"公示|公告|公开栏|在哪.{0,4}(?:公开|看|查)|(?:看|查)到.{0,6}公开",
    ),
    _intent(
        "acceptance_checks",
        "what is checked at acceptance (（十）: 竣工验收过程中…核查核实…台账是否真实)",
        r"竣工验收过程中",
        r"验收.{0,4}(?:看|查|核)",
    ),
)


def clause_intents(norm: str) -> frozenset[str]:
    """The intents a clause's normalised text answers (its verbs and objects)."""
    return frozenset(i.key for i in INTENTS if i.source.search(norm))


def question_intents(norm: str) -> frozenset[str]:
    """The intents a normalised question asks (frames around verbs)."""
    return frozenset(i.key for i in INTENTS if i.asks.search(norm))
