"""What a question demands that the policy never states: a concrete figure or a procedure.

Near-domain questions use the policy's own words but ask for what no clause writes — how much a
day's work pays in our county, the age limit, the reporting hotline, the system's password, the
date the policy came out, which firm to hire, cash or card. BM25 finds the clause that shares
the words (（十） writes 劳务报酬发放标准, （九） 公益性岗位) and would quote it as if it answered.

Each kind of demand below is a pattern over the question (what is asked for) and a pattern over
a clause's text (what stating it looks like: a sum in 元, an age in 岁, a phone number …). A kind
that no clause of the knowledge base states is answered honestly — “这份政策没有讲…” and where to
ask — with the closest clause only pointed at. A kind some clause states (an added document
that sets 每人每天 120 元) is matched as usual. The one figure the built-in policy writes is a
share (劳务报酬 ≥ 15% of the funds), so a question about a share (占, 比例, 最低, 几成 …) is no
demand for a sum. The kinds come from what a policy text of this sort can and cannot hold,
never from a question set.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Unstated:
    """A kind of fact: what the question asks, what a clause stating it writes, who knows."""

    key: str
    label: str  # 这份政策没有讲{label}
    ask: str  # 这类事请问{ask}
    asks: re.Pattern[str]  # over the normalised question
    states: re.Pattern[str]  # over a clause's normalised text
    unless: re.Pattern[str] | None = None  # the question asks something else after all
    # characters one of which every match of `asks` holds: a question with none of them is
    # not searched (a pattern that starts with alternatives is slow to try at each place)
    gate: frozenset[str] | None = None


_STOP = r"[^，。,.？?！!；;]"  # within one phrase of the question
_UNIT = r"(天|日|个月|月|年|季度|亩|户|人|个人|公里|米|小时|方|平|平方|场|期)"
# how people name a sum of money they get or pay
_MONEY_NOUNS = (
    r"(工资|工钱|薪水|薪资|薪酬|工价|日薪|月薪|补助|补贴|津贴|误工费|生活费|分红|红利|奖金|"
    r"资金|经费|投资|专项资金|衔接资金|注册资金|注册资本|保证金|押金|罚款|收入"
    # an amount, a limit or a threshold of money (合同金额, 数额标准, 限额, 造价; seventh pass)
    r"|金额|数额|额度|限额|造价|合同额|投资额"
    # a fee of any kind (监理费, 管理费, 设计费), but 劳务费 is the policy's 劳务报酬
    r"|(?<!劳务)费用?)"
)
# a share of the funds (the policy's 15%), not a sum
# (最低 and 至少 say a share only when no sum is asked right after them: 一天最低给多少钱 is a
# sum), nor is a question about recording what was paid (记账, 台账: the ledger is ruled on)
_SHARE = re.compile(
    r"占|比例|比列|比重|百分|%|几成|一成|成半|不低于|不少于|不得低于"
    r"|(最低|最少|至少|起码)(?![^，。,.？?！!；;]{0,6}(多少钱|几块|多少块|多少元))"
    r"|记账|台账|记录|登记|备查|记下|谁记"
    # (twelfth pass) nor is whether a contract writes the pay down, or who sets it: （十）
    r"|写清|写明|写进|写上|约定|说了算|谁定|谁来定|由谁定|谁决定"
)
# 按15%算一个人能分多少: a sum per head, asked though a share is named
_PER_HEAD = (
    r"(一个人|每个人|每人|一人|人均|个人)[^，。,.？?！!；;]{0,6}(分|拿|挣|领|得|发)(多少|几)"
)
_SHARE_ONLY = re.compile(rf"^(?!.*{_PER_HEAD})(?:.*?)(?:{_SHARE.pattern})")
# 干了几天、领了多少钱，要不要记清楚: the sum is what is written down (（十）'s ledgers) or
# was only said (口头说一天好多钱，没签), not what is asked
_RECORDED = re.compile(
    r"(多少钱|好多钱|几个钱)[^？?]{0,12}?(记账|登记|记下|记清|记成|记得|没人记|没记|没签|签字|台账)"
)
_NOT_ASKED_SUM = re.compile(rf"{_SHARE_ONLY.pattern}|{_RECORDED.pattern}")

KINDS: tuple[Unstated, ...] = (
    Unstated(
        "钱数",
        "具体的钱数（工钱、补助、分红、资金每天每月每年多少）",
        "项目业主单位、施工单位或县发展改革部门（以工代赈办）",
        re.compile(
            r"(多少|(?<![哪好])几)个?(块|元|万|千|百|毛|亿)|多少钱|几个钱(?![不吗没啊])|几块钱"
            rf"|(一|每){_UNIT}{_STOP}{{0,8}}(多少|(?<![哪好])几)(?!次|回|趟|个|天|月|年|成)"
            rf"|{_MONEY_NOUNS}{_STOP}{{0,6}}(多少|(?<![哪好])几)(?!次|回|趟|个|天|月|年|成)"
            rf"|多少{_STOP}{{0,8}}{_MONEY_NOUNS}"
            # 西南 好多 is 多少 after a verb of earning or paying (好多人 is many people)
            r"|(挣|赚)(好多|多少)|好多钱|(给|发|拿|分|补|领)好多(?![人活事趟次回地东])"
            rf"|{_PER_HEAD}"
            # a sum said and asked yes-or-no: 一天能给两百不
            r"|(一天|每天|一个月|每月|一年|每年|一个工)(能|可以|会)?(给|发|挣|拿|开)到?"
            r"[一二两三四五六七八九十百千\d]+(块|元|块钱)?(不|吗|没有?|么|呗|行不|中不)?[?？!！。]*$"
        ),
        re.compile(r"\d\s*(元|块|万元|千元|百元)|[一二三四五六七八九十百千万]+元"),
        unless=_NOT_ASKED_SUM,
    ),
    Unstated(
        "年龄",
        "务工的年龄限制",
        "项目施工单位或县人力资源和社会保障局（人社局）",
        re.compile(
            r"多大岁数|多大年纪|多大年龄|几岁|年龄(限制|上限|下限|要求|规定|界限|多大)"
            # (not a span of ages, which describes a group: 五六十岁的老人)
            r"|((?<![\d\-~～到至])\d{2}|(?<![一二三四五六七八九到至\-~～])[二三四五六七八九]十"
            r"([一二三四五六七八九多]|来)?)周?岁"
            # 俺都六十八了还能干不: one's age said without 岁
            r"|(今年|都|已经|快)(\d{2}|[四五六七八九]十[一二三四五六七八九]?)了"
        ),
        re.compile(r"\d+\s*周?岁|年龄|岁数"),
    ),
    Unstated(
        "电话",
        "电话号码和联系方式",
        "县发展改革部门（以工代赈办）或乡镇政府",
        # (a call told, 我爸打电话说 / 接到电话, asks no number)
        re.compile(
            r"(?<![打接来通挂回])电话(?![里中上])|打电话(?!说|来|过来|回来|给我|给俺|问)"
            r"|热线|号码|手机号|联系方式|微信号|邮箱"
        ),
        re.compile(r"电话|热线|\d{7,}"),
    ),
    Unstated(
        "密码",
        "系统的账号和密码",
        "本单位的系统管理员或县发展改革部门（以工代赈办）",
        re.compile(r"密码|账号|帐号|用户名|登录|登陆|验证码"),
        re.compile(r"密码|账号|帐号|登录"),
    ),
    Unstated(
        "日期",
        "文件出台和施行的日期",
        "县发展改革部门（以工代赈办）",
        re.compile(
            r"哪一年|哪年|几几年|啥年|什么年份|(哪天|哪一天|几号)(出台|发布|印发|实施|施行|实行|生效|下发)"
            r"|(出台|发布|印发|实施|施行|实行|生效|下发|出来)"
            r"的?(时间|日期)|什么时候.{0,3}(出台|发布|印发|实施|施行|实行|生效|下发|有的|出来的)"
            r"|有效期|几月几号|几月几日"
        ),
        re.compile(r"\d{4}\s*年|\d{1,2}\s*月\s*\d{1,2}\s*日|有效期|自印发之日"),
    ),
    Unstated(
        "机构",
        "具体请哪家机构",
        "项目业主单位或县发展改革部门（以工代赈办）",
        re.compile(
            r"(哪家|哪个|什么|啥)(会计师)?(事务所|律所|律师事务所|银行|医院|保险公司|审计机构"
            r"|造价公司|中介|检测机构)"
        ),
        re.compile(r"事务所|银行|医院|保险公司|检测机构"),
    ),
    Unstated(
        "现金",
        "工钱用现金发还是打到卡上",
        "项目施工单位或县人力资源和社会保障局（人社局）",
        re.compile(
            r"现金|打到卡|打卡上|打进卡|打在卡|卡里|卡上|银行卡|存折|转账|微信|支付宝|一卡通"
        ),
        re.compile(r"现金|银行卡|转账|账户|一卡通|代发"),
    ),
    Unstated(
        "下载",
        "其他文件的原文和下载",
        "省、县发展改革部门的网站或县发展改革部门（以工代赈办）",
        re.compile(r"下载|(办法|法|条例|通知|细则)的?(原文|全文)"),
        re.compile(r"下载|网址|网站.{0,6}(查阅|下载)"),
    ),
    # Seventh pass: what an official asks of a procedure that an 意见 of this kind leaves to
    # other rules (the 招标投标法, the 预算 and 审计 rules, the provinces' 管理办法) — each
    # from the parts of a government document this one does not have: its number, time
    # limits, penalties, certificates and qualification grades, thresholds of money (above),
    # figures of growth or of shares other than the one it sets, named sources of funds, and
    # the schedule or app of one particular project.
    Unstated(
        "文号",
        "文件的文号",
        "县发展改革部门（以工代赈办）",
        re.compile(r"文号|发文字号|文件号|文件编号|几号文|字号是"),
        re.compile(r"〔\d{4}〕|\[\d{4}\]\s*\d+\s*号|\d+号文"),
    ),
    Unstated(
        "时限",
        "办理和报送的时限（几天内、第几天前、截止日期）",
        "县发展改革部门（以工代赈办）或办理的部门",
        re.compile(
            r"(多少|几)个?(工作日|工作天)|(多少|几)(天|日|个月|周)(之内|以内|内)"
            r"|(多少|几)(天|日)(办结|办完|批下来|出结果|报送|上报|完成)"
            r"|第几(天|日|个工作日|周)|时限|期限|截止|(哪天|几号|什么时候)(之前|以前|前)"
            r"|(几月份?|哪个月)[^，。,.？?！!；;]{0,6}(公布|发布|下达|出来|公示|印发|上报|申报|报送|报到"
            r"|定下来)"
        ),
        re.compile(r"\d+\s*个?(工作日|日|天)(之内|以内|内)|时限|期限|截止"),
        gate=frozenset("作内天日第限截前月"),
    ),
    # Eleventh pass: how long a thing lasts or is kept — the days a notice stays posted, the
    # years records are kept, a warranty or a post's term — which rules on archives, notices
    # and contracts set, not an 意见 (its only period is 按季度, a rate)
    Unstated(
        "时长",
        "公示、保存、质保和聘用这类事持续多久（几天、几年）",
        "县发展改革部门（以工代赈办）或项目业主单位",
        re.compile(
            r"(公示|公告|张贴|保存|保留|留存|存档|归档|保管|质保|保修|聘用|聘期|任期|试用)期?"
            r"(期限|时间)?(是|要|得|需要?|应该?|至少|最少|一般)?(多少|几|多久|多长)"
            r"(天|日|年|个月|周|时间)?"
            r"|(一签|签|聘|合同签)(几|多少)(年|个月)|续签|续聘|留(几|多少|多久)(年|个月|天)"
            r"|工期(是|要|得|一般)?(多长|多久|几个月|几天|多少天)"
        ),
        re.compile(r"(公示|保存|保管|质保|保修|聘用|聘期)[^。；]{0,8}\d+\s*(个?月|年|天|日)"),
        gate=frozenset("示告贴存留档管保聘任试签续期"),
    ),
    # a template or a form to fill in (合同范本, 台账样表): issued with the rules that set them
    Unstated(
        "范本",
        "合同、协议和台账的范本、模板和表格样式",
        "县发展改革部门（以工代赈办）或县人力资源和社会保障局（人社局）",
        re.compile(r"范本|模板|模版|样本|样表|样式|示范文本|格式文本|统一格式|表格格式|空白表"),
        re.compile(r"范本|模板|示范文本|样表"),
        gate=frozenset("范模样格空"),
    ),
    Unstated(
        "罚则",
        "罚款、处分和扣减资金这类处罚",
        "县发展改革部门（以工代赈办）或县纪检监察、审计部门",
        re.compile(
            r"罚款|罚金|罚多少|罚钱|处罚|处分|被罚|怎么罚|咋罚|扣减|核减|扣回|收回.{0,4}(资金|钱|补助)"
            r"|黑名单|拉黑|吊销|追究.{0,4}责任|问责|追责|判刑|坐牢|通报|约谈|批评|惩戒|一票否决"
            # what failing costs (the evaluation's weight in 验收 and 审计决算 is （十二）'s)
            r"|^(?!.*(验收|审计|决算))"
            rf".*?(不合格|不达标|达不到|没达到|完不成|没完成){_STOP}{{0,4}}"
            r"(会怎|怎么办|咋办|有什么后果|有啥后果|后果)"
        ),
        re.compile(r"罚款|处罚|处分|扣减|核减|收回|黑名单|吊销|追究|问责|追责|通报|约谈|惩戒"),
        gate=frozenset("罚处扣核收黑吊追问判坐通约批惩否合标到成"),
    ),
    Unstated(
        "证书",
        "证书、资格和资质等级",
        "县人力资源和社会保障局（人社局）或县住房和城乡建设局（住建局）",
        re.compile(
            r"证书|发证|发个证|给证|拿证|考证|办证|资格证|上岗证|合格证|结业证|等级证|技能等级"
            r"|职业资格|几级资质|资质等级|(什么|啥|哪些|哪种|几级)的?(施工)?资质|资质.{0,3}(咋办|怎么办|怎么弄|去哪)"
            r"|(要不要|需不需要|用不用|得不得)(考试|资质)|考试"
        ),
        re.compile(r"证书|资格证|资质|等级|考试"),
        gate=frozenset("证级资考"),
    ),
    Unstated(
        "比例",
        "劳务报酬占比（农推项目不低于15%）以外的比例和增幅",
        "县发展改革部门（以工代赈办）或县财政局",
        re.compile(
            r"(增长|增幅|增加|提高|上涨|递增|比上年|比去年)[^，。,.？?！!；;]{0,6}"
            r"(百分之几|百分之多少|几个百分点|多少个?百分点|多少%|几成)"
            r"|(占股|持股|股权|股份|分红|配套|预付款?|质保金?|自筹|管理费|利润)的?(比例|比重|占比)"
            r"|(占股|持股)[^，。,.？?！!；;]{0,8}(多少|几|最低|最高)"
            r"|(分红|股份|收益|利润|资产)[^。？?！!；;]{0,10}(按|以)(什么|啥|多大|多少|哪种)的?比例"
            r"|(按|以)(什么|啥|多大|多少)的?比例(分给|分到|分钱|分红)"
            r"|^(?!.*(劳务|工钱|工资|报酬|干活|发给|付给|务工))"
            r".*?(用在|用于|投向|投入|投在|放在|花在|用到)[^，。,.？?！!；;]{0,8}(比例|比重|占比)"
            r"|^(?!.*(农推|衔接))(?=.*(专项资金项目|中央资金|中央预算内))"
            r"(?=.*(劳务报酬|工钱|工资|劳务费)).*(比例|占|几成|不低于)"
            # (fourteenth pass) the 15% is 农推's: 重推's share of pay is set nowhere
            r"|^(?!.*农推)(?=.*重推)(?=.*(劳务报酬|工钱|工资|报酬|劳务费))"
            r".*(比例|占|几成|不低于|最低|百分|%)"
        ),
        re.compile(r"增长\d|\d+\s*%[^。；]{0,6}(股|分红|配套|预付|质保|自筹|管理费)"),
        gate=frozenset("百点%成比占股低"),
    ),
    Unstated(
        "资金来源",
        "专项债、贷款、社会资本这类资金能不能用",
        "县财政局或县发展改革部门（以工代赈办）",
        re.compile(
            r"专项债|债券|地方债|一般债|国债|政策性银行|开发性金融|ppp|社会资本|彩票公益金"
            r"|土地出让金|一事一议"
        ),
        re.compile(
            r"专项债|债券|国债|政策性银行|开发性金融|ppp|社会资本|彩票公益金|土地出让金|一事一议"
        ),
    ),
    Unstated(
        "进度",
        "哪个项目具体什么时候开工、招人",
        "项目所在的乡镇政府或村委会",
        re.compile(
            r"(什么时候|哪天|何时|几月份?)(能|才|可以|就|会|要)?(开工|动工|开建|开始修|开始干|完工|招人"
            r"|开始招|报名|开始报名)|(开工|动工)(时间|日期)"
        ),
        re.compile(r"开工时间|开工日期|\d+\s*月\s*\d+\s*日\s*开工"),
        gate=frozenset("开动完招报"),
    ),
    Unstated(
        "软件",
        "手机软件（app、小程序、公众号）",
        "县发展改革部门（以工代赈办）或县人力资源和社会保障局（人社局）",
        re.compile(r"app|小程序|公众号|客户端|软件"),
        re.compile(r"app|小程序|公众号|客户端|软件"),
    ),
    # Twelfth pass: what the finance, personnel and sector rules hold and an 意见 on a way of
    # working does not — how a fee is charged, what is reimbursed, how a budget is passed and
    # money is paid out or left over, what money may buy, who may hold a post, which days are
    # paid, how many people, how another approval, a procurement method or a quality standard
    # works, where to report, how a body is registered, how an evaluation is scored, what other
    # documents say.
    Unstated(
        "收费",
        "各种费用怎么收、怎么计取（费率、报名费、押金这类）",
        "项目业主单位或县发展改革部门（以工代赈办）",
        re.compile(
            r"费率|取费|计取|计费|收费|收钱|收取[^，。,.？?！!；;]{0,3}费|交钱|交费|缴费|掏钱|自掏腰包"
            r"|自费|自己出钱|押金|报名费|手续费|介绍费|中介费|代理费|好处费"
            rf"|(?<!劳务)费用?{_STOP}{{0,4}}(按什么|按啥|按照什么|怎么|如何|咋)(算|计|收|取|定)"
        ),
        re.compile(r"费率|取费|收费|押金|报名费"),
        gate=frozenset("费收交缴掏钱押"),
    ),
    Unstated(
        "报销",
        "差旅费、工作经费这类报销和补助",
        "本单位财务或县财政局",
        re.compile(
            r"报销|差旅|出差|下乡补|交通费|伙食补|误餐|公务用车|公车|油费|油钱|工作经费|办公经费"
        ),
        re.compile(r"报销|差旅|工作经费|办公经费"),
        gate=frozenset("报差出下交伙误公油经"),
    ),
    Unstated(
        "财务",
        "预算审批、工程款支付和结余资金这类财务程序",
        "县财政局或县发展改革部门（以工代赈办）",
        re.compile(
            r"人大|人民代表大会|预算(调整|执行|绩效)|国库|集中支付|会计科目|(哪个|什么|啥)科目|核算"
            r"|入账|记账凭证|预付|预支|垫资|垫付|进度款|(工程款|合同款|项目款)"
            rf"{_STOP}{{0,6}}(怎么|如何|咋|多少|比例|几成|支付|拨付|结算|付)"
            r"|结余|结转|节余|余款|剩余资金|剩下的(钱|资金)|没花完|用不完|花不完"
            rf"|资金{_STOP}{{0,4}}(退回|收回|上缴|清算)"
        ),
        re.compile(r"人大|国库|会计科目|预付|进度款|结余|结转"),
        # 工程款里劳务报酬占多少: the wages' share of the money, which （一） states
        unless=re.compile(rf"(劳务报酬|工钱|工资|报酬|劳务费){_STOP}{{0,6}}(占|比例|几成|百分)"),
        gate=frozenset("人预国集科核入凭垫进款结节余剩完资"),
    ),
    Unstated(
        "用途",
        "资金能用在哪些开支上（支出范围、不能列支的事项）",
        "县财政局或县发展改革部门（以工代赈办）",
        re.compile(
            r"支出方向|支出范围|开支范围|列支|使用范围|负面清单|(不能|不得|禁止|不准)(用于|用在|花在)"
            rf"|(资金|钱|经费|款){_STOP}{{0,8}}(用来|用于|用在|拿来|拿去|花在){_STOP}{{0,6}}"
            r"(办公楼|办公用房|办公室|楼堂馆所|村委会|村部|大楼|宿舍|车|吃喝|招待|福利|奖金|还债|还贷|偿债)"
        ),
        re.compile(r"支出范围|开支范围|列支|负面清单|不得用于"),
        gate=frozenset("支开列使负用拿花"),
    ),
    Unstated(
        "任职",
        "担任这些职务的人员身份要求和回避（编制、村干部、亲属）",
        "县发展改革部门（以工代赈办）、乡镇党委或县纪委监委",
        re.compile(
            r"编外|(?<![正现还])在编|有编制|没编制|没有编制|编制内|编制外|临时工|临聘|聘用人员|合同工|借调|职级"
            r"|级别要求|科级|处级|回避|利益冲突"
            rf"|(村干部|干部|支书|书记|村长|村主任|主任|公职人员|亲属|亲戚|家属){_STOP}{{0,12}}"
            r"(当包工头|当老板|承包|包工程|包项目|接项目|接工程|揽活|领劳务报酬|领工钱|拿工钱|领工资"
            r"|拿工资|开公司|办公司)"
        ),
        re.compile(r"编制内|在编|回避|不得担任"),
        gate=frozenset("编在临聘合借职级科处回利干支书长主亲属"),
    ),
    Unstated(
        "班组",
        "工地上的班组长、工种这类岗位怎么安排",
        "项目施工单位",
        re.compile(
            rf"(能|可以|能否|让|选|谁|怎么|咋|如何|要)来?(当|做|担任|选){_STOP}{{0,4}}"
            r"(班组长|班长|组长|工长|队长|领班|带班|施工员|安全员|质检员|材料员|资料员|技术员)"
            r"|(班组长|班长|工长|领班|带班的|队长)"
            rf"{_STOP}{{0,6}}(多拿|多给|多挣|多少钱|工钱多|工资多|补贴)"
        ),
        re.compile(r"班组长|工长|领班"),
        gate=frozenset("班组工队领带施安质材资技"),
    ),
    Unstated(
        "计酬",
        "哪些日子算工钱（培训、停工、请假的日子给不给钱）",
        "项目施工单位或县人力资源和社会保障局（人社局）",
        re.compile(
            r"(学|培训|实训|学徒|停工|歇工|窝工|下雨|雨天|请假|病假|生病|休息|放假|过节)"
            rf"{_STOP}{{0,8}}(算不算|算|给不给|给|发不发|有没有|有)(工钱|工资|钱|报酬|工分|补助|补贴)"
        ),
        re.compile(r"(培训|停工|请假)[^。；]{0,10}(工资|报酬|补贴)"),
        gate=frozenset("学训徒停歇窝雨假病休放节"),
    ),
    Unstated(
        "人数",
        "具体要招多少人、每户去几个人",
        "项目施工单位或乡镇政府、村委会",
        re.compile(
            r"(至少|最少|起码|必须|得|要|能|可以)(招|用|雇|安排|吸纳|吸收|收|要|带动|组织)(多少|几)个?"
            r"(人|工人|本地人|村民|群众|劳力|民工|贫困户|脱贫户|低收入)"
            r"|(招|用|雇|安排|吸纳)(多少|几)个?(人|工人|本地人|村民|群众|劳力)"
            rf"{_STOP}{{0,4}}(才|算|合格|达标|以上)"
            r"|(每户|一户|一家|每家)[^，。,.？?！!；;]{0,4}(能|可以|只能|最多)?(去|出|报|上|来)?(几|多少)个?人"
            r"|(几|多少)个?(人|名)[^，。,.？?！!；;]{0,2}组成|成员(有|要|得)?(几|多少)个?(人|名)?"
        ),
        re.compile(r"\d+\s*(人|名)(以上|以下|左右)?"),
        gate=frozenset("招用雇安吸收要户家组成带"),
    ),
    # how many times at least, how often an audit: the policy's one rate is 按季度调度
    Unstated(
        "次数",
        "具体的次数（每月至少去几次、多久审计一回）",
        "县发展改革部门（以工代赈办）或项目业主单位",
        re.compile(
            r"(至少|最少|最多|起码|不少于|不能少于|不低于)[^，。,.？?！!；;]{0,10}"
            r"(几次|几回|几趟|多少次|多少回|多少趟)"
            r"|(审计|巡查|抽查|督查|暗访)[^，。,.？?！!；;]{0,4}(多久|多长时间|几次|几回)"
            r"|(多久|多长时间)[^，。,.？?！!；;]{0,4}(审计|巡查|抽查|督查|暗访)"
        ),
        re.compile(r"\d+\s*次|每(月|周|年)[^。；]{0,6}(不少于|至少)"),
        unless=re.compile(r"调度|掌握|报送|上报|汇报"),
        gate=frozenset("至最起不审巡抽督暗多"),
    ),
    Unstated(
        "审批细节",
        "用地、环评、规划这些审批本身怎么办（占用耕地、环评类别、许可证）",
        "县自然资源局、生态环境局、住房和城乡建设局或县行政审批局",
        re.compile(
            r"基本农田|耕地占补|占补平衡|占用耕地|占耕地|农转用|农用地转用|转用审批|用地预审|用地指标"
            r"|选址意见书|规划许可|施工许可|许可证|环评[^，。,.？?！!；;]{0,6}(报告|登记|类别|等级|分类|批复)"
            r"|环境影响(报告|评价)(书|表)|林地|砍树|采伐|水土保持|水保方案|防洪评价|地质灾害|压覆矿"
            r"|文物勘探|节能审查|能评|安评|稳评|社会稳定风险"
            r"|设计变更|工程变更|变更设计|变更手续|变更审批|概算调整|调概|签证单"
        ),
        re.compile(r"基本农田|占补平衡|许可证|水土保持|报告表|登记表"),
        gate=frozenset("农耕占转预指选许环林砍采水洪灾矿文节评稳变概签"),
    ),
    Unstated(
        "采购",
        "招标采购的具体程序和方式（竞争性磋商、询价、评标这些）",
        "县财政局（政府采购）、县公共资源交易中心或县发展改革部门",
        re.compile(
            r"政府采购法|竞争性磋商|竞争性谈判|单一来源|询价|邀请招标|比选|评标|开标|中标候选|投标保证金"
            r"|评审专家|资格预审|最低价中标|围标|串标|采购限额|限额标准"
        ),
        re.compile(r"竞争性磋商|竞争性谈判|单一来源|询价|邀请招标|评标|开标"),
        gate=frozenset("采竞单询邀比评开候投资最围串限"),
    ),
    Unstated(
        "质量标准",
        "工程的质量、技术和验收标准",
        "县住房和城乡建设局、交通运输局等行业主管部门或项目业主单位",
        re.compile(
            r"质量评定|评定标准|技术标准|技术规范|设计标准|建设标准|施工规范|验收规范|验收标准|质量标准"
            r"|质量等级|合格率|优良率|多宽|多厚|几米宽|宽度|厚度|标号|强度等级"
        ),
        re.compile(r"评定标准|技术标准|技术规范|验收标准|质量标准|合格率|宽度|厚度"),
        gate=frozenset("评技设建施验质合优宽厚标强"),
    ),
    Unstated(
        "责任",
        "工程质量和安全事故的责任划分",
        "项目业主单位或县住房和城乡建设局、应急管理局",
        re.compile(
            rf"(质量|安全){_STOP}{{0,6}}(问题|事故){_STOP}{{0,6}}"
            r"(谁负责|谁担责|谁承担|谁的责任|谁管|谁赔|责任)"
            r"|责任(怎么|如何|咋)划分|(质量|安全)责任(谁|由谁|归谁)"
        ),
        re.compile(r"质量责任|安全责任|责任划分"),
        gate=frozenset("质安划"),
    ),
    Unstated(
        "举报",
        "举报和投诉的渠道",
        "县纪委监委（举报电话 12388）或县发展改革部门（以工代赈办）",
        re.compile(
            r"(去|到|向|找|跟|给|在)(哪|哪里|哪儿|哪个|什么|啥|谁)[^，。,.？?！!；;]{0,6}"
            r"(举报|检举|揭发|告发|投诉)|(举报|检举|投诉)(途径|渠道|方式|邮箱|网站|平台|地址|窗口)"
            r"|(怎么|如何|咋|怎样)(举报|检举|揭发)"
        ),
        re.compile(r"举报电话|举报邮箱|信访|12388"),
        gate=frozenset("举检揭告投"),
    ),
    Unstated(
        "注册",
        "合作社、公司和理事会怎么注册登记（手续、材料、注册资本）",
        "县市场监督管理局或行政审批局（社会组织问县民政局）",
        re.compile(
            r"注册|营业执照|执照|工商登记|(合作社|公司|理事会|协会)[^。？?]{0,4}章程|(民政|市场监管|工商)[^，。,.？?！!；;]{0,4}(登记|备案)"
            r"|(成立|组建|开办)[^。？?！!；;]{0,10}(要|需要|得|准备|带|交|走|办)(啥|什么|哪些|些)"
            r"(手续|材料|证件|证照)"
        ),
        re.compile(r"注册|营业执照|工商登记"),
        gate=frozenset("注执章登备手材证"),
    ),
    Unstated(
        "评分",
        "评价和考核的打分细则、指标权重和分值",
        "县发展改革部门（以工代赈办）",
        re.compile(
            r"权重|分值|细则|评分|打分(标准|细则|办法|表|规则)|指标体系|各项指标"
            r"|(考核|评价)(指标|办法|方案)|(占|扣|加|得|打|算|给)(几|多少)分(?![之钱红])"
            r"|多少分(?![之钱红])|满分|扣分|加分(?!红)|排名|名次|等次"
        ),
        re.compile(r"权重|分值|细则|\d+\s*分"),
        gate=frozenset("权分细评指考名等"),
    ),
    Unstated(
        "他文",
        "其他法律、文件和讲话（劳动合同法、中央一号文件这些）的内容",
        "县发展改革部门（以工代赈办）或政府网站",
        re.compile(
            r"一号文件|政府工作报告|工作报告|规划纲要|十四五|十五五|五年规划|讲话精神|重要讲话|重要指示"
            r"|会议精神|全会精神|新提法|新表述|总书记"
            r"|劳动法|劳动合同法|民法典|建筑法|预算法|会计法|审计法|安全生产法|条例"
        ),
        re.compile(r"一号文件|政府工作报告|规划纲要|十四五|讲话|劳动合同法|民法典|条例"),
        gate=frozenset("号报纲四五讲指精提表书法条"),
    ),
    Unstated(
        "地址",
        "办事的地址和办公时间",
        "县发展改革部门（以工代赈办），或拨打 12345 政务服务便民热线",
        re.compile(
            r"地址|在哪办公|办公地点|办公室在哪|在几楼|几楼|哪栋楼|哪个楼|门牌|办公时间"
            r"|(几点|什么时候)(上班|下班|开门|办公)"
        ),
        re.compile(r"地址|办公地点|办公时间|\d+\s*楼"),
        gate=frozenset("地办楼门上下开"),
    ),
    Unstated(
        "姓名",
        "具体负责的是哪个人（姓名）",
        "县发展改革部门（以工代赈办）或乡镇政府",
        re.compile(
            r"(?<!系统)(?<!平台)(?<!模式)(?<!机制)叫(什么|啥)名字?|姓(什么|啥)|是哪位"
            r"|(领导|局长|司长|处长|科长|主任|县长|镇长|乡长|负责人)是谁"
        ),
        re.compile(r"同志|先生|女士"),
        gate=frozenset("叫姓位谁"),
    ),
    Unstated(
        "解聘",
        "岗位和务工人员的辞退、解聘和退出",
        "项目业主单位或乡镇政府（公益性岗位）",
        re.compile(
            r"辞退|开除|解聘|解雇|炒鱿鱼|退出机制|清退|(不让|不叫|不准)(我|俺|他|她)?(干|做)了"
        ),
        re.compile(r"辞退|解聘|退出|清退"),
        gate=frozenset("辞开解炒退让叫准"),
    ),
    Unstated(
        "体检",
        "务工要不要体检、政审这类条件",
        "项目施工单位或县人力资源和社会保障局（人社局）",
        re.compile(r"体检|健康证|身体检查|无犯罪|犯罪记录|(?<![财行])政审(?!批)|背景调查"),
        re.compile(r"体检|健康证|政治审查"),
        gate=frozenset("体健身犯政背"),
    ),
    Unstated(
        "书籍",
        "书籍、课程和学习资料",
        "县发展改革部门（以工代赈办）或县人力资源和社会保障局（人社局）",
        re.compile(
            r"(推荐|介绍)[^，。,.？?！!；;]{0,10}(书|教材|课程|网课|视频)"
            r"|(看|读|买)(什么|啥|哪些|哪本|几本)书|书单"
            rf"|推荐{_STOP}{{0,4}}(几|一|两)本|书{_STOP}{{0,4}}(推荐|介绍)"
        ),
        re.compile(r"书目|教材|课程"),
        gate=frozenset("书教课视"),
    ),
)


# The names of what those kinds ask for, kept whole by the tokenizer: 专项债资金 is no typo of
# 专项资金, 资格证 no slip of anything
_DEMAND_TEXT = (
    "专项债 专项债券 地方债 一般债 政府债券 社会资本 彩票公益金 土地出让金 一事一议 政策性银行 "
    "文号 发文字号 文件编号 工作日 时限 期限 截止日期 罚款 罚金 处分 扣减 核减 黑名单 吊销 问责 追责 "
    "证书 资格证 上岗证 合格证 结业证 等级证 技能等级 职业资格 资质 资质等级 小程序 公众号 客户端 "
    "范本 模板 样表 示范文本 公示期 保存期 质保期 保修期 聘期"
)
DEMAND_WORDS = tuple(_DEMAND_TEXT.split())


def stated_kinds(texts: Iterable[str]) -> frozenset[str]:
    """The kinds some text (a clause) states."""
    texts = list(texts)
    return frozenset(k.key for k in KINDS if any(k.states.search(t) for t in texts))


def _asked(kinds: Iterable[Unstated], text: str) -> tuple[Unstated, ...]:
    """The kinds a normalised question asks for (gate first: it spares the slow searches)."""
    chars = frozenset(text)
    return tuple(
        k
        for k in kinds
        if (k.gate is None or not k.gate.isdisjoint(chars))
        and k.asks.search(text)
        and not (k.unless is not None and k.unless.search(text))
    )


def demanded(text: str, stated: frozenset[str]) -> tuple[Unstated, ...]:
    """The kinds a normalised question asks for that no clause states."""
    return _asked((k for k in KINDS if k.key not in stated), text)


# Thirteenth pass: a quantity asked by the shape of the question — how many days, years,
# hours or which month, how often, what share — read against the clause that would answer it
# (matcher.py). A clause that writes no quantity of that kind does not answer it, whatever
# topic it names (the notice of （十） has no number of days, the posts of （九） no term); one
# that writes a rate or a share does (按季度调度, 按年度 lists, the 15%, a 周期 the contractor
# sets). 常态化 (（十一）'s contacts) is no rate: three writers of later sets, each on their
# own, asked how often a liaison visits or reports and found no answer (fourteenth pass).
# The asks are shapes, not topics: an ask word right before a unit.
# (How many people was tried and dropped: it refused nothing more on the check sets and cost
# one of their answers.)
_NUMBER = r"(\d+|[一二两三四五六七八九十百千]+)"  # written in digits or in words
_ASK_NUM = r"(?<![好前没十二三四五六七八九百千几那这了过哪])(?<!往后|以后|今后|未来|最近)(多少|几)"
MEASURES: tuple[Unstated, ...] = (
    Unstated(
        "量:时长",
        "具体的天数、年数、学时和月份（多少天、干几年、几月份）",
        "县发展改革部门（以工代赈办）或项目业主单位",
        re.compile(
            rf"{_ASK_NUM}个?(天|日|年|个月|月份?|周|星期|小时|钟头|学时|课时|工时|工作日)"
            # not 几天一发 (a rate), 几年书; nor a phrase told, then a question (折腾几个月。…吗)
            # nor how often (几年定一回, 几个月来问一回)
            r"(?![一书工])(?![^，,？?；;]*[。.！!].)(?!.{0,3}一(次|回|趟|遍|轮))"
            rf"|(最长|最短|至少|最少|起码){_STOP}{{0,4}}(多久|多长时间)"
            rf"|(多久|多长时间)(能|才能|可以|就能|会|才|就)?{_STOP}{{0,4}}"
            r"(批下来|批完|办完|办结|拿到|到账)"
            # (fourteenth pass) how long at all, unless how often (多久发一次, 多久调度)
            rf"|(多久|多长时间|多少时间|多长时候)(?!{_STOP}{{0,6}}(一次|一回|一趟|一轮|一遍|发|结|调|报))"
        ),
        re.compile(rf"{_NUMBER}\s*个?(天|日|年|月|周|小时|学时|课时|工作日)"),
        gate=frozenset("多几久长"),
    ),
    Unstated(
        "量:频次",
        "多久一次（开会、检查、填报这类事的频次）",
        "县发展改革部门（以工代赈办）或办理的部门",
        re.compile(
            rf"(多久|多长时间|几个月|几天|几年|多少天){_STOP}{{0,8}}(一次|一回|一趟|一轮|一遍)"
            rf"|(一年|每年|一个月|每月|每季度?|一季度?|每周|一周){_STOP}{{0,6}}"
            r"(几次|几回|几趟|多少次|多少回)"
            rf"|{_ASK_NUM}(天|个月|月|年|周)一(次|回|趟|发|结|调|报|开|查)"
            # 要调度几次: the period was read as the rate's unit and dropped (query.py)
            # (not 好几回, many; nor trips to an office, 跑几次, which approval answers)
            r"|(?<![好跑批])(几次|几回|多少次|多少回)"
        ),
        # a rate the clause sets, or names as set by someone (（十）: 周期)
        re.compile(
            rf"按(季度|年度|月|年|周)|每(年|季|月)|逐年|周期|定期|{_NUMBER}\s*个?(天|日|月|年)"
        ),
        gate=frozenset("多几每一"),
    ),
    Unstated(
        "量:比例",
        "这件事的比例（占几成、几个点）",
        "县发展改革部门（以工代赈办）或县财政局",
        re.compile(
            rf"{_ASK_NUM}(个点|成|个百分点)|百分之(几|多少)|(多少|多大|什么|啥)的?(比例|比重|占比)"
            r"|(比例|比重|占比)(是|有|要|得)?多少|占(多少|几成|百分之)"
        ),
        re.compile(r"\d+\s*%|百分之"),
        gate=frozenset("多几百比占啥什"),
    ),
)


def measure_kinds(text: str) -> frozenset[str]:
    """The measures a clause's normalised text writes a quantity of."""
    return frozenset(m.key for m in MEASURES if m.states.search(text))


def measures_asked(text: str) -> tuple[Unstated, ...]:
    """The measures a normalised question asks for."""
    return _asked(MEASURES, text)
