"""Routing of everyday requests to handling units (派单建议), on the shared directory.

The tables are requests written for this test in everyday words, not in the directory's
phrasing. ``EVERYDAY`` was written first and used while building the everyday-word table
(data/unit_terms.json); ``HELD_OUT`` was written at the same time and looked at once
mid-way; ``HELD_OUT_LATE`` was written after the table was done and measured once before
any later change. Ground truth is the unit whose duties cover the matter.
"""

from __future__ import annotations

import json
import statistics
import time

import pytest

#: Requests in everyday words, across most units of the directory.
EVERYDAY: list[tuple[str, str]] = [
    ("住在汇龙镇一个老小区，隔壁邻居把公共过道占了放鞋柜，说了也不听，想让社区出面协调", "U001"),
    ("南阳镇我们村有户人家生活很困难，想申请低保，村里说要先到镇上初审，问问找谁", "U002"),
    ("北新镇我们村和隔壁村为了承包地的边界吵起来了，想请镇里出面调解一下", "U003"),
    ("王鲍镇我们村旁边的河塘里水草长满了，还漂着死鱼，味道很大，村里说要报镇上整治", "U004"),
    ("合作镇有户人家在村里养了几百头猪，粪水直接排到沟里，夏天臭得不行", "U005"),
    ("近海镇那边滩涂上两家养蛤蜊的为了地界打了好几次，能不能让镇里协调一下", "U007"),
    ("寅阳镇连兴港那边几家农家乐晚上放音乐放到半夜，附近村民都睡不着", "U008"),
    ("吕四那个海鲜市场地上全是污水和鱼鳞，又脏又臭，希望镇上好好管管", "U011"),
    ("我住启隆镇，村里的环境整治搞了一半就停了，路边堆着建筑垃圾一直没人清", "U012"),
    ("经济开发区里有条路修了一半就停工了，大货车进进出出，下雨全是泥浆", "U013"),
    ("高新区的人才公寓我申请了半年还没排上，想问问到底什么进度", "U014"),
    ("生物医药园那边的药厂一到晚上就飘出一股怪味，住附近的人都闻得到", "U016"),
    ("圆陀角景区停车场收费太乱了，一会儿收二十一会儿收三十，也不给票", "U017"),
    ("海工园里船厂门口的路被大货车压得坑坑洼洼，上下班骑车很危险", "U018"),
    ("我儿子今年十六了，想给他办第一张身份证，是不是带户口本就行，去哪儿办", "U019"),
    ("刚结婚，想把老婆的户口迁到我家来，需要准备啥东西", "U019"),
    ("要出国打工，那边让开个没犯过事的证明，这个去哪里开", "U019"),
    ("小区门口马路两边天天停满了车，早上我们的车根本开不出去", "U020"),
    ("刚买的电瓶车，要去挂牌照，在哪里挂，要带什么", "U020"),
    ("十字路口那个红灯时间太短了，老人过马路走到一半就变灯了", "U020"),
    ("在厂里干了半年，老板一直拖着不发工资，现在人都找不到了", "U021"),
    ("被公司辞退了，想领失业的那个钱，怎么弄", "U021"),
    ("上班的时候手被机器夹伤了，厂里说不算工伤，一分钱不给报", "U021"),
    ("我明年就到六十了，办退休要准备什么手续", "U021"),
    ("交房才一年，墙上到处是裂缝，还渗水，开发商一直拖着不修", "U022"),
    ("晚上十一点了旁边工地还在打桩，轰隆隆的，孩子根本睡不着", "U022"),
    ("小区物业收了钱啥都不干，垃圾堆在楼下好几天，保安也不见人", "U022"),
    ("我们楼下早餐店把桌子摆到人行道上，走路都要绕到马路上去", "U023"),
    ("小区一楼有户人家在院子里私自搭了个大棚子，挡了我们的光", "U023"),
    ("路边那一排路灯晚上都不亮，黑灯瞎火的，走夜路害怕", "U023"),
    ("楼下饭店的抽油烟机正对着我家窗户排，一股油味", "U023"),
    ("在药店买的药回家一看过期了，店里不肯退钱", "U024"),
    ("菜场里一个卖肉的秤不准，我买一斤回家一称少了二两", "U024"),
    ("网上买的电热水器装上就漏电，商家不给换也不给退", "U024"),
    ("附近一个厂晚上偷偷往河里排黑水，河里的鱼都死了", "U025"),
    ("家旁边的工厂机器轰轰响一整夜，窗户关上都能听见", "U025"),
    ("化工厂的烟囱冒黄烟，一刮风呛得人嗓子疼", "U025"),
    ("打车的时候司机故意绕路，多收了我二十块钱", "U026"),
    ("叫的网约车司机半路把我赶下车，还不退钱", "U026"),
    ("我们村到镇上那条公路坑太多了，车子颠得厉害，一直没人修", "U026"),
    ("想学车，驾校收了钱一直不给安排练车", "U026"),
    ("孩子明年上小学，我们这个小区划在哪个学校", "U027"),
    ("孩子报的培训班收了一年学费，现在老板跑路了", "U027"),
    ("体育馆的游泳池开放时间能不能延长一点，下班去都关门了", "U027"),
    ("在镇卫生院看病，医生态度很差，还开错了药", "U028"),
    ("二胎生了，想做生育登记怎么弄", "U028"),
    ("我爷爷九十多岁了，高龄老人的那个补贴怎么领", "U029"),
    ("想把瘫痪的老父亲送养老院，公办的怎么申请", "U029"),
    ("打算下个月去领结婚证，要带什么东西", "U029"),
    ("村里有人把好好的农田挖成了鱼塘，还在上面盖房子", "U030"),
    ("听说我家门口规划要修一条路，想看看规划图", "U030"),
    ("房子是老人留下的，老人走了想把房子过户到我名下", "U031"),
    ("家里房产证找不到了，想补一本，去哪办", "U031"),
    ("今年种小麦的补贴怎么还没发下来，别的村都有了", "U032"),
    ("买了台收割机，听说国家有补贴，怎么申请", "U032"),
    ("邻居家养的鸡一下死了好多，担心是鸡瘟会传染", "U032"),
    ("村里那条河边有人搭了个棚子养鸭子，河里全是垃圾", "U033"),
    ("下大雨田里的水排不出去，泵站也不开，庄稼都要淹死了", "U033"),
    ("我在上海住院，启东的医保怎么报销", "U034"),
    ("我妈有糖尿病，长期要吃药，门诊慢病怎么办", "U034"),
    ("开了个小店，客人要开发票，发票怎么领", "U035"),
    ("个税年度汇算多交的钱怎么退回来", "U035"),
    ("租房子住能不能把公积金取出来付房租", "U036"),
    ("想开个小饭馆，执照去哪里办，要多久", "U037"),
    ("我是退伍老兵，听说可以办个优待证，怎么办", "U038"),
    ("有个小作坊在居民楼底下堆了好多桶油漆和稀料，怕哪天出事", "U039"),
    ("过年前有人在路边摆摊卖烟花，看着没有任何证", "U039"),
    ("厂里让我们下到污水池里清淤，连个防毒面具都不给", "U039"),
    ("跟旅行团出去玩，导游强迫我们进店买东西", "U040"),
    ("网吧里有好多小学生在上网，老板也不管", "U040"),
    ("健身房办的卡，老板关门跑路了，钱退不回来", "U041"),
    ("跟人有经济纠纷，家里困难，想找个免费的律师帮忙", "U042"),
    ("想给家里的房子办个公证，要带什么", "U042"),
    ("被罚了款觉得不公平，想找上级复议一下，怎么弄", "U042"),
    ("同一个问题我反映了好几次都没解决，想到信访那边去", "U043"),
    ("我儿子腿有残疾，残疾证到期了要换新的", "U044"),
    ("家里老人瘫痪了想申请个轮椅，残联有没有补贴", "U044"),
    ("邻居家大人经常打孩子，孩子哭得很惨，身上都是伤", "U045"),
    ("老公动不动就打我，我不敢回家", "U045"),
    ("我是厂里的困难职工，听说工会有帮扶，能申请什么", "U046"),
    ("想报名当志愿者，到哪里报名", "U047"),
    ("公司上了失信名单，欠款已经还清了，怎么把记录撤掉", "U048"),
    ("小企业想了解专精特新的扶持政策", "U049"),
    ("一卡通里的补贴一直没打进来，村里说钱没拨下来", "U050"),
    ("公司想申报高新技术企业，需要什么条件", "U051"),
    ("商场的安全出口被锁上了，万一着火人出不去", "U052"),
    ("小区有人从楼上拉电线下来给电瓶车充电", "U052"),
    ("小区的消防栓打开里面是空的，一滴水都没有", "U052"),
    ("明天要出海，想知道会不会刮大风", "U053"),
    ("政务APP登不上，一直说实名认证失败", "U054"),
    ("想去世后把遗体捐了，去哪登记", "U055"),
    ("当年下乡插队的材料要查，办退休要用", "U056"),
    ("家里突然没电了，邻居家也没电，什么时候来电", "U057"),
    ("电压不稳，灯一闪一闪的，空调都开不起来", "U057"),
    ("水龙头出来的水有股怪味，还有点发白", "U058"),
    ("家门口的自来水管爆了，水哗哗地往外流", "U058"),
    ("新房子想开通天然气，怎么申请", "U059"),
    ("老年人坐公交的免费卡在哪办", "U060"),
    ("公交车一个小时才来一班，等得太久了", "U060"),
    ("公交司机开得很猛，一个急刹车把人都摔倒了", "U060"),
    ("移动的手机卡莫名其妙多扣了话费", "U061"),
    ("电信宽带老是断网，报修了也没人来", "U062"),
    ("人民医院的专家号根本挂不上", "U064"),
    ("想在中医院做针灸，要不要预约", "U065"),
    ("怀孕了想建卡做产检，在哪建", "U067"),
    ("被狗咬了一口，打狂犬疫苗去哪", "U068"),
    ("在饭店上班要办健康证，去哪里体检", "U068"),
    ("在邮局寄的挂号信一个礼拜了还没到", "U069"),
    ("电视机顶盒坏了，一直没信号", "U070"),
    ("路边垃圾桶满了好几天没人来收", "U071"),
    ("公共厕所脏得没法进，也没人打扫", "U071"),
    ("殡仪馆收费太高了，一个骨灰盒要好几千", "U072"),
    ("汽车站买的去上海的车票怎么退", "U073"),
    ("下雨后小区门口积水到膝盖，车都过不去", "U074"),
    ("下水道堵了，污水冒到路上来了", "U074"),
]

#: A town named, but a city bureau's matter: the place must not decide (written with EVERYDAY).
TOWN_NAMED_BUREAU_MATTER: list[tuple[str, str]] = [
    ("我是南阳镇的，去年在厂里干活的工资到现在还没结", "U021"),
    ("吕四港镇我们小区门口的马路上天天有人乱停车，堵得出不去", "U020"),
    ("我在东海镇开了个小饭店，想办营业执照要带什么", "U037"),
    ("寅阳镇有个厂晚上偷偷往河里排污水，水都变色了", "U025"),
    ("合作镇我爸的残疾证到期了，要去哪里换", "U044"),
    ("北新镇我家孩子明年读小学，想问划在哪个学校", "U027"),
    ("惠萍镇的村医给我妈打错了针，现在手肿得很厉害", "U028"),
    ("我家住王鲍镇，想问问种小麦的补贴什么时候发", "U032"),
    ("近海镇那边的公交车一个多小时才来一班", "U060"),
    ("海复镇我们村停电三天了，冰箱里东西都坏了", "U057"),
    ("启隆镇的村民，想问在崇明住院启东医保怎么报销", "U034"),
]

#: Written with EVERYDAY, looked at once while tuning.
HELD_OUT: list[tuple[str, str]] = [
    ("户口本上我的名字写错了一个字，想改过来", "U019"),
    ("家里老人去世了，户口要怎么注销", "U019"),
    ("驾照快到期了，换证要去哪里", "U020"),
    ("骑电动车被拍了违章，想问怎么处理", "U020"),
    ("公司一直没给我们交社保，干了两年了", "U021"),
    ("老板不跟我们签合同，说是试用期", "U021"),
    ("小区要装电梯，一楼的邻居不同意，怎么办", "U022"),
    ("买的新房到期了还不交房，开发商说还要等半年", "U022"),
    ("街上有人开着货车卖西瓜，把半条路都占了", "U023"),
    ("渣土车拉土一路撒，马路上全是泥", "U023"),
    ("饭店后厨老鼠乱跑，吃完饭拉肚子", "U024"),
    ("小区电梯老是关人，上个月还掉过一层", "U024"),
    ("村边的厂往田里倒废料，庄稼都黄了", "U025"),
    ("出租车司机不打表，一口价要五十", "U026"),
    ("农村的渡船太破了，人坐上去晃得厉害", "U026"),
    ("孩子在学校被同学欺负，老师也不管", "U027"),
    ("幼儿园收的伙食费太贵了，还不公示", "U027"),
    ("想约家庭医生上门给老人看看", "U028"),
    ("家里门牌号码没有，快递都送不到，怎么申请", "U029"),
    ("老伴走了，想问问火化以后安葬有什么补助", "U029"),
    ("自家宅基地上想翻建房子，要先批吗", "U032"),
    ("种的菜打了好多农药，邻居卖到菜场去，怕吃出问题", "U032"),
    ("河里有人电鱼，还搭了拦网", "U033"),
    ("小孩出生了医保怎么给他交", "U034"),
    ("有个诊所拿别人的医保卡刷药卖钱", "U034"),
    ("买房子的契税怎么算，能不能减免", "U035"),
    ("公积金贷款买房要什么条件", "U036"),
    ("个体户不做了，执照怎么注销", "U037"),
    ("老家的烈士墓没人管，杂草长得很高", "U038"),
    ("小厂里的工人不戴安全帽在高处干活，出了事谁负责", "U039"),
    ("地震台风来了，附近的避难场所在哪里", "U039"),
    ("KTV唱到凌晨两点，楼上楼下都被吵醒了", "U040"),
    ("小区门口的废品收购站堆得乱七八糟", "U041"),
    ("想请律师打官司，但是不知道怎么收费，有没有地方咨询", "U042"),
    ("残疾人两项补贴怎么一直没批下来", "U044"),
    ("离婚后孩子判给了他，他却不让我看孩子", "U045"),
    ("初中生在网上被人骗了，心理压力很大", "U047"),
    ("社区的小广场晚上健身舞曲放得震天响", "U001"),
    ("水费怎么突然涨了一倍，抄表是不是抄错了", "U058"),
    ("楼道里燃气管子生锈了，想找人来检查一下", "U059"),
    ("门口公交站牌被撞坏了，一直没人修", "U060"),
    ("联通的号码想注销，营业厅说要回原地办", "U063"),
    ("中医院的代煎中药太慢了，要等三天", "U065"),
    ("孩子的出生证明上名字写错了", "U067"),
    ("打了HPV疫苗之后一直发烧", "U068"),
    ("有线电视不看了，想停掉", "U070"),
    ("家门口的大件垃圾，旧沙发，怎么扔", "U071"),
    ("马路上的下水道井盖不见了，很危险", "U074"),
    ("天然气费怎么交，网上能交吗", "U059"),
    ("晚上楼下烧烤摊的烟太大", "U023"),
]

#: Written after the term table was finished.
HELD_OUT_LATE: list[tuple[str, str]] = [
    ("我家小孩的户口想从外婆家迁回来，要办什么手续", "U019"),
    ("路口那个摄像头拍我闯红灯，我明明是绿灯过的", "U020"),
    ("在饭店打工三个月，老板说生意不好一分钱没给", "U021"),
    ("楼上装修天天电钻响，物业也不管", "U022"),
    ("小区门口有人天天推个车卖烧饼，占了半个门", "U023"),
    ("在超市买的鸡蛋里面是坏的，好几个都臭了", "U024"),
    ("隔壁那个塑料厂整天一股焦糊味，晚上更厉害", "U025"),
    ("坐出租车司机中途又拉了一个人，还要我们各付全价", "U026"),
    ("孩子上的幼儿园老师打小朋友手心", "U027"),
    ("我爸九十岁了，听说有尊老金，要去哪里申请", "U029"),
    ("想看看我们村以后是不是要规划成工业区", "U030"),
    ("买的二手房要过户，需要带哪些证件", "U031"),
    ("村里有人把病死的猪扔在河边", "U032"),
    ("孩子在外地上大学，他的医保要怎么交", "U034"),
    ("单位给我开的工资条上扣了个税，我想查查扣得对不对", "U035"),
    ("离职了，公积金里的钱能不能取出来", "U036"),
    ("我爷爷是抗美援朝老兵，听说有光荣牌可以挂", "U038"),
    ("路边的小卖部门口堆着几十个煤气罐", "U039"),
    ("跟团去外地玩，旅行社临时加价", "U040"),
    ("家里有个智障的哥哥，想问能办什么补助", "U044"),
    ("女儿在学校被男老师骚扰，不知道找谁", "U045"),
    ("厂里的工会费每个月都扣，但从来没见过工会活动", "U046"),
    ("天这么冷，想知道下周会不会下雪", "U053"),
    ("家里灯一开就跳闸，别人家都没事，是不是线路问题", "U057"),
    ("早上起来水管里流出来的水是浑的", "U058"),
    ("我家燃气表走得特别快，比上个月多了一倍", "U059"),
    ("上班的公交线路取消了，现在要转两趟车", "U060"),
    ("爸妈想去看中医调理身体，中医院周末有门诊吗", "U065"),
    ("家里的狗咬了邻居小孩，要打什么针", "U068"),
    ("小区后面那条路，一下雨就淹了", "U074"),
    ("海复镇我们村有户人家把垃圾堆在路边，一直没人清", "U006"),
    ("东海镇的村民，想问问村里什么时候能通天然气", "U059"),
]


#: Local matters in a named town or zone: the place and the matter together decide.
LOCAL_MATTERS = [row for row in EVERYDAY if row[1] in ("U001", "U002", "U005", "U007", "U011")]


@pytest.fixture(scope="module")
def routed(shared_data):
    """The assistant on the shared directory and knowledge base (cold start, no history)."""
    from assist import Assistant
    from workstation.models import load_units

    units = load_units(shared_data / "units.jsonl")
    kb = [json.loads(x) for x in (shared_data / "kb_dev.jsonl").read_text("utf-8").splitlines()]
    return Assistant.from_directory(units, [a for a in kb if a])


def _rates(assistant, rows: list[tuple[str, str]]) -> tuple[float, float]:
    top1 = top3 = 0
    for text, unit in rows:
        codes = [u.code for u in assistant.suggest(text).units]
        top1 += codes[0] == unit
        top3 += unit in codes
    return top1 / len(rows), top3 / len(rows)


def test_the_tables_cover_many_units():
    assert len(EVERYDAY) + len(TOWN_NAMED_BUREAU_MATTER) >= 60
    assert len({u for _, u in EVERYDAY + TOWN_NAMED_BUREAU_MATTER}) >= 40


def test_everyday_requests_reach_the_responsible_unit(routed):
    top1, top3 = _rates(routed, EVERYDAY + TOWN_NAMED_BUREAU_MATTER)
    assert top3 >= 0.97 and top1 >= 0.9, (top1, top3)


def test_held_out_requests(routed):
    top1, top3 = _rates(routed, HELD_OUT + HELD_OUT_LATE)
    assert top3 >= 0.9 and top1 >= 0.8, (top1, top3)


def test_dev_tickets(routed, shared_data):
    lines = (shared_data / "tickets_dev.jsonl").read_text("utf-8").splitlines()
    rows = [(t["text"], t["unit"]) for t in map(json.loads, filter(None, lines)) if t["accept"]]
    top1, top3 = _rates(routed, rows)
    assert top3 >= 0.97 and top1 >= 0.9, (top1, top3)


@pytest.mark.parametrize(("text", "unit"), TOWN_NAMED_BUREAU_MATTER)
def test_a_named_town_does_not_take_a_bureaus_matter(routed, text, unit):
    assert routed.suggest(text).units[0].code == unit


@pytest.mark.xfail(
    strict=True,
    reason="the town wins on 小区; kb_index's colloquial expansion ranks U024 first but was "
    "neutral over all request sets, so the domain does not import it",
)
def test_a_named_town_with_a_colloquial_special_equipment_matter(routed):
    text = "汇龙镇我们小区的电梯老是困人，上周又关了一个老人"
    assert routed.suggest(text).units[0].code == "U024"


@pytest.mark.parametrize(("text", "unit"), LOCAL_MATTERS)
def test_a_local_matter_goes_to_the_town_it_names(routed, text, unit):
    top = routed.suggest(text).units[0]
    assert top.code == unit
    if routed.index.unit(unit).short in text:
        assert any(r.startswith("属地") for r in top.reasons), top.reasons


def test_reasons_name_the_everyday_words(routed):
    top = routed.suggest("打车的时候司机故意绕路，多收了我二十块钱").units[0]
    assert top.code == "U026"
    assert any(r.startswith("常见说法") and "打车" in r for r in top.reasons), top.reasons


def test_every_unit_has_everyday_terms(shared_data):
    from assist.directory import _terms_table, unit_terms
    from workstation.models import load_units

    units = load_units(shared_data / "units.jsonl")
    table = unit_terms(units)
    assert set(table.terms) == {u.code for u in units}  # every entry resolved by name
    for unit in units:
        words = table.terms[unit.code]
        assert 10 <= len(words) <= 30, (unit.code, len(words))
        assert len(set(words)) == len(words), unit.code
        assert not set(words) & {k.lower() for k in unit.keywords}, unit.code
        assert all(all(part for part in w.split("+")) for w in words), unit.code
        if unit.kind in ("town", "zone"):
            assert unit.short in table.places[unit.code]
    assert set(_terms_table()["local"]) == {"town", "zone"}


def test_terms_follow_the_unit_not_the_code():
    from assist.directory import unit_terms
    from workstation.models import Unit

    table = {
        "units": {
            "U026": {"name": "启东市交通运输局", "short": "交通运输局", "terms": ["打车"]},
            "U060": {"name": "启东市公共交通有限公司", "short": "公交公司", "terms": ["公交"]},
        }
    }
    renumbered = Unit(code="T9", name="启东市交通运输局", short="交通局", kind="department")
    reused = Unit(code="U060", name="另一个单位", short="另一个", kind="department")
    terms = unit_terms([renumbered, reused], table)
    assert terms.terms == {"T9": ("打车",)}


def test_combined_terms_need_every_part(small_units):
    from assist.directory import DirectoryIndex, UnitTerms

    terms = UnitTerms({"C01": ("三轮车+卖", "摆摊")}, {}, {})
    index = DirectoryIndex(small_units, terms=terms, expand=lambda text: ())
    assert "C01" not in index.keyword_hits("三轮车坏了")
    assert index.keyword_hits("有人开着三轮车在路口卖西瓜")["C01"] == ["三轮车+卖"]
    assert index.kind("C01", "三轮车+卖") == "term"


def test_a_word_inside_a_longer_one_is_not_counted(small_units):
    from assist.directory import DirectoryIndex, UnitTerms

    terms = UnitTerms({"P01": ("身份证",), "S01": ("身份证明",)}, {}, {})
    index = DirectoryIndex(small_units, terms=terms, expand=lambda text: ())
    assert index.words_in("单位要我开个身份证明") == ["身份证明"]
    assert "身份证" in index.words_in("身份证丢了，还要开身份证明")


def test_a_town_name_weighs_less_than_a_matter(small_units):
    from assist.directory import DirectoryIndex, UnitTerms

    terms = UnitTerms({}, {"T01": ("汇龙镇",)}, {"town": ("邻居",)})
    index = DirectoryIndex(small_units, terms=terms, expand=lambda text: ())
    scores, hits = index.keyword_scores("汇龙镇社保卡丢了")
    assert scores["S01"] > scores["T01"] > 0
    local, hits = index.keyword_scores("汇龙镇邻居把过道占了")
    assert local["T01"] > scores["T01"] and "邻居" in hits["T01"]
    assert index.hit_reasons("T01", hits["T01"]) == ["属地: 汇龙镇（邻居）"]
    assert "T01" not in index.keyword_scores("邻居把过道占了")[0]


def test_colloquial_expansion_helps_and_a_broken_one_is_dropped(small_units):
    from assist.directory import DirectoryIndex

    def expand(text: str) -> list[str]:
        return ["供电抢修"] if "没电" in text else []

    index = DirectoryIndex(small_units, expand=expand)
    scores, hits = index.keyword_scores("家里没电了")
    assert hits["E01"] == ["供电抢修"] and scores["E01"] > 0

    def broken(text: str) -> list[str]:
        raise RuntimeError("vocabulary file missing")

    index = DirectoryIndex(small_units, expand=broken)
    assert index.keyword_scores("家里停电了")[1]["E01"] == ["停电"]
    assert index.expand is None


def test_suggest_stays_fast(routed):
    texts = [t for t, _ in EVERYDAY]
    for text in texts[:5]:
        routed.suggest(text)
    took = []
    for text in texts:
        started = time.perf_counter()
        routed.suggest(text)
        took.append(time.perf_counter() - started)
    assert statistics.median(took) < 0.020
