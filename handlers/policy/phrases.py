"""Spoken phrases that name a concept across words: 钱 … 发给 … 干活的 is wages, 哪个法 is the
law a clause cites. jieba cuts them apart, and each part alone (钱, 法) says too little; the
phrase as a whole says which idea is meant. Patterns are built from how people talk about
the idea, never from a question set.
"""

from __future__ import annotations

import re

# the people of the place, as they name themselves
_VILLAGERS = (
    r"(大伙|大家|群众|村民|老百姓|百姓|乡亲|老乡|全村|村里人|村里的人|本地人|当地人|本村人|社员"
    r"|乡里乡亲)"
)

# (pattern over the normalised question, concept key of handlers/policy/concepts.py)
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    # money handed to the people who work: wages, not project funds
    (re.compile(r"钱.{0,6}(发|给|到手|结|领|拿)|(发|给|结|领|拿|欠).{0,3}钱"), "发工钱"),
    # how wages are paid (cash, to a card) is what 发放标准 settles
    (
        re.compile(
            r"(工钱|工资|钱).{0,8}(现金|打卡|卡上|转账)|(现金|打卡|转账).{0,8}(工钱|工资|钱)"
        ),
        "工钱标准",
    ),
    # which office is in charge of it all: 发改局管还是…, 哪个部门牵头, 归谁管
    (
        re.compile(
            r"(局|委|部门)管还是|哪个(部门|局|单位)(来)?(管|牵头|领头|带头|挑头)|归谁管|(这事|事儿|摊子事|以工代赈).{0,4}谁说了算|谁(来)?(牵头|挑头|主抓)"
        ),
        "牵头",
    ),
    # which law, what regulation
    (re.compile(r"(哪个|哪部|哪条|啥|什么|按|依)(子)?(法|法律|法规)"), "法规"),
    # who mends and keeps what was built: the after-care
    (
        re.compile(
            r"(路|渠|桥|设施|工程|项目|水管|路灯|水池|水窖).{0,8}(谁来修|谁修|谁来管|谁管|没人管|没人修|没人看|没人理|谁养护"
            r"|谁来养|谁养|谁来看|谁看|谁来守|谁守)"
        ),
        "管护",
    ),
    # what was built, once it breaks or ages: who looks after it
    (
        re.compile(
            r"(修好|建好|修完|建成|完工|坏了|用坏)的?.{0,6}(谁来修|谁修|谁来管|谁管|没人管|谁来养|谁养|谁来看|谁看"
            r"|谁来守|谁守|就不管|不管了|没人理)"
        ),
        "管护",
    ),
    # somebody arranged to look after what was built
    (re.compile(r"(安排|派|找|雇|请)(个)?人.{0,2}(看|管|守|护|养)"), "管护"),
    # （十） when wages are paid, as people say it: all at once at the year's end or when the
    # work is done (年底一块结, 干完再一次性发), not a period
    (
        re.compile(
            r"(年底|年终|年末|过年|干完|完工|做完|修完|最后|到头)(再|才|了)?.{0,4}(一块|一起|一次性|一把|统一|总)"
            r"(结|发|给|算|付)|(一块|一起|一次性|一把)(结清|结算|结账|发清|付清)|压着?工资|押着?工资"
        ),
        "发放周期",
    ),
    # （五） who may take a role in the project: to be its owner (当这种项目的业主), or the
    # side the work is let to (当承包的那一方)
    (re.compile(r"(当|做|作|充当|担任)[^，。？?,]{0,8}(业主|甲方|建设方)"), "当业主"),
    (
        re.compile(
            r"(当|做|作|充当)[^，。？?,]{0,6}(承包|接活|乙方)[^，。？?,]{0,4}(方|一方|单位|的)"
        ),
        "招标",
    ),
    # machines people learn on
    (re.compile(r"挖机|挖掘机|铲车|钩机|勾机|装载机"), "设备"),
    # a certificate or a skill learnt
    (re.compile(r"(发|拿|给|领)(个)?证|学会|学成"), "培训"),
    # shown to everybody: publicity
    # (the people named as villagers name themselves: 让村里人知道)
    (
        re.compile(rf"(给|让|叫){_VILLAGERS}(都)?(看|知道|瞧|晓得|了解|清楚)"),
        "公示",
    ),
    # somebody sent down to guide the village: the fixed contact
    # (谁来看着 what was built is its after-care, not a visit)
    (
        re.compile(r"(专门|派|有人|谁).{0,6}(来|下来|到|下).{0,6}(指导|帮|看)(?![着管守护])"),
        "定点联系",
    ),
    (re.compile(r"(谁|专人|有人)(来)?(盯|包|跟)(着)?(这个|这些|俺们的|咱的)?项目"), "定点联系"),
    # a share of what was built
    (re.compile(r"分(到|点|多少|啥|钱|红|成)|能分|(股份|股|红利|收益).{0,4}分"), "分红"),
    # getting a project for the village: the list it must enter
    (
        re.compile(r"(申请|申报|争取|报)(个|一个)?.{0,6}项目|项目.{0,4}(报上去|报上|申报|申请)"),
        "清单",
    ),
    # which projects may be done this way: the scope
    (
        re.compile(
            r"(啥|什么|哪些|哪种|哪类)(样的)?(项目|工程).{0,6}(能|可以|都|要|适合)"
            r"|能(搞|用|上|干|申请|按)(以工代赈|这个政策|这政策|这个办法|这个法子)"
        ),
        "适用范围",
    ),
    # the villagers build it themselves
    (re.compile(r"(自己|自个儿?|自家)(组织|来|动手)?.{0,2}(干|修|建|盖|搞)"), "自建"),
    # work away from home is hard for them
    (re.compile(r"(出去|外出|出门).{0,4}(难|不好找|找不到|出不去)"), "就业困难"),
    # cannot go far (出不了远门, 走不了远路, 去不了外地): the 外出就业困难 of （九）
    (
        re.compile(r"(出不了|出不得|去不了|走不了|走不得|跑不了)(远门|远路|远|外地|外省|门)"),
        "就业困难",
    ),
    # where the money comes from
    (re.compile(r"(钱|资金|经费).{0,3}(哪来|哪里来|从哪|打哪)"), "资金来源"),
    # a project not on the list (清单里没有的项目): the condition of entering it
    (re.compile(r"清单(里|上)?(没有|没|不在|没列)|(不在|没进|没在)(县里的?)?清单"), "纳入清单"),
    # the workers once the project is done: recommended on
    (
        re.compile(
            r"(完工|完了|干完|结束|修完|建完)(后|以后|之后|了)?.{0,4}人.{0,4}(安排|去哪|咋办|干啥)"
        ),
        "推荐就业",
    ),
    # another job found for them
    # (not 找不到活: that is no work to be had, not work found for them)
    (re.compile(r"(介绍|推荐|找)(个|份|点|些)?(活|工作|下家)"), "推荐就业"),
    # the same errand run again and again for a permit: make it simpler
    (re.compile(r"跑.{0,3}(好多|好几|几|多少|无数)(趟|回|次)|来回跑|跑断腿"), "简化"),
    # use it wherever it can be used: 能用尽用, said in words
    (re.compile(r"能用.{0,8}就用|能用就用|能上就上"), "适用范围"),
    # leave the work to people, not machines: work fit for hands
    (
        re.compile(r"(别|不要|少|不能)(全|都)?(上|用|靠)(机械|机器|设备|挖机)|留(点|些)?活"),
        "适用范围",
    ),
    # Sixth pass: situations described instead of named (each from a clause's verbs and goal)
    # （一） the scale grows year by year: 以后每年…往上加, 一年比一年多
    (
        re.compile(
            r"(每年|年年|以后|往后|一年比一年|逐年)[^,，。?？]{0,20}(往上加|增加|加码|扩大|涨|提高|更多|越来越多|多投|变多|多拿|多出|多给|多花|多掏|多发)"
        ),
        "规模",
    ),
    # （一） wherever it can be done by hand, do it this way: 凡是能…都该, 只要能…就
    (
        re.compile(r"(凡是|只要|但凡)(能|可以)[^。?？]{0,16}(都|就)(该|要|得|用|这么|这样)"),
        "尽量采用",
    ),
    # （十） who the job went to, made public: 包给了谁…在哪能看到
    (
        re.compile(
            r"(包给|发包|给了谁|给谁干|中标|包出去|谁中标)[^。?？]{0,12}(公开|公示|看到|看得到|知道|查到|贴)"
        ),
        "公示",
    ),
    # （十） how often wages are paid: 几天一发, 多久结一次, 按月给
    (
        re.compile(
            r"(几天|多久|多长时间|几号|按月|按周|按天|一个月|每个月|每月|每周|一周)(一|结一次|发一次)?(发|结|给|付)(?!证)"
        ),
        "发放周期",
    ),
    # （十） a record that is false: 台账是假的, 名单上的人根本没干过; or one that leaves out who
    # worked (本子上没我名字, 名单漏了俺)
    (
        re.compile(
            r"(台账|账|名单|记录|花名册|工资表|考勤)[^。?？]{0,8}(假|不真|不实|虚|编的|瞎写|瞎填)"
            r"|(台账|账|名单|记录|花名册|工资表|考勤|本子|表)上?(没|没有|漏了?|少了?)(我|俺|额|咱)?的?名"
        ),
        "真实",
    ),
    # （三）, （十） the supervisor who does not supervise: 监理不来工地, 监工不管事
    (
        re.compile(
            r"(监理|监工)[^，。,？?]{0,8}(不来|没来|不到|不在|不管|不负责|不干事|不上心|走过场|糊弄|偷懒"
            r"|没人管|谁管|有人管|管不管)"
        ),
        "监管",
    ),
    # （三） what is filled in upward, into the system: 往上填东西, 系统里要报数
    (
        re.compile(
            r"(往上|向上|系统里?|平台上?|网上)(要|得|需要)?(填|报|录|传)(东西|数|数据|资料|材料|表)?"
        ),
        "调度",
    ),
    # （十二） whether the training worked is what is judged
    (
        re.compile(
            r"(培训|教|学|手艺|技能)[^。?？]{0,10}(效果|有没有用|有没有效|管不管用|有用没|学会没|教会没)"
        ),
        "评价",
    ),
    # （十二） a score is given: 打个分, 评个分
    (re.compile(r"(打|评|给)(个)?分(?![红钱成到配派开])"), "评价"),
    # （十二） what the result is used for
    (
        re.compile(
            r"(分数|打分|评价|评分|结果|成绩|排名)[^。?？]{0,10}(干嘛用|有啥用|有什么用|拿去|用来|用在|咋用|怎么用|派啥用场)"
        ),
        "结果运用",
    ),
    # （二） what the province does, against the cities and counties
    (
        re.compile(
            r"(省|省级|省里|省上)[^。?？]{0,6}(负责|管啥|管什么|干啥|干什么|职责|任务|要做)"
        ),
        "分级负责",
    ),
)


def phrase_matches(text: str) -> list[tuple[str, int, int]]:
    """The concept keys the question's phrases name, each with where its match starts and ends."""
    out = []
    for pattern, key in PHRASES:
        found = pattern.search(text)
        if found:
            out.append((key, found.start(), found.end()))
    return out


def phrase_concepts(text: str) -> list[tuple[str, int]]:
    """The concept keys the question's phrases name, each with the length of its match."""
    return [(key, end - start) for key, start, end in phrase_matches(text)]
