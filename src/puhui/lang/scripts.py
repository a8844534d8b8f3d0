"""Script detection: the dominant Unicode script of a text, as an ISO 15924 code.

Only letters count (digits, punctuation, symbols and combining marks do not). Han text is told
apart as ``Hans`` (simplified) or ``Hant`` (traditional) from characters that exist in only one
of the two (``Hani`` when none does); Han mixed with kana is ``Jpan``; Hangul is ``Hang``, or
``Kore`` with a noticeable share of Han. Text without letters gives ``Zyyy``. The corpus
language identifier uses this to restrict its answers to labels written in the text's script.
"""

from __future__ import annotations

import unicodedata
from collections import Counter

import regex

__all__ = ["NO_SCRIPT", "detect_script", "script_counts"]

#: The script of text without letters (ISO 15924 "Common").
NO_SCRIPT = "Zyyy"
#: Texts longer than this are judged on this many characters spread evenly across them.
SAMPLE_CHARS = 4000


# ISO 15924 codes of the scripts told apart, most common first (the order only affects speed).
_SCRIPT_CODES = """
    Latn Cyrl Arab Hani Deva Beng Grek Hebr Thai Hang Hira Kana Ethi Geor Armn Taml Telu Knda
    Mlym Gujr Guru Orya Sinh Khmr Laoo Mymr Tibt Thaa Syrc Tfng Nkoo Olck Adlm Vaii Cans Cher
    Yiii Mong Java Bali Sund Bugi Lana Tavt Cakm Gran Tglg Hano Buhd Tagb Mtei Sylo Lepc Limb
    Copt Goth Runr Ogam Bopo Tale Talu Saur Kali Rjng Cham Batk Bamu Lisu Brah Kthi Shrd Takr
    Khoj Sind Mahj Modi Sidd Tirh Gonm Gong Soyo Zanb Dogr Nand Diak Hmng Hmnp Wcho Mend Bass
    Kits Osge Osma Avst Xsux Egyp Phnx Ital Ugar Xpeo Dsrt Shaw Samr Mand Glag Brai Lyci Lydi
    Cari Armi Prti Phli Orkh Sogd Sogo Elym Chrs Yezi Vith Toto Kawi Nagm Rohg Sora Dupl Khar
    Newa Ahom Mroo Pauc Wara Marc Bhks Mult Hatr Palm Nbat Narb Sarb Merc Mero Plrd Tang Nshu
    Lina Linb Cprt Perm Elba Aghb Sgnw Hluw Medf Maka
"""
_SCRIPTS: tuple[str, ...] = tuple(_SCRIPT_CODES.split())

# One private-use character stands for each script in the translated string.
_SCRIPT_MARK = {code: chr(0xE000 + i) for i, code in enumerate(_SCRIPTS)}
_MARK_SCRIPT = {mark: code for code, mark in _SCRIPT_MARK.items()}
_SCRIPT_RE = regex.compile("|".join(f"(?P<{c}>\\p{{sc={c}}})" for c in _SCRIPTS))

_CJK = frozenset({"Hani", "Hira", "Kana", "Hang", "Bopo"})

# Simplified / traditional pairs of frequent Chinese characters (simplified first). Only
# characters that are not also in ordinary use in the other writing system are listed.
_HAN_PAIRS = (
    "这這个個们們国國为為说說时時会會来來对對过過还還发發学學现現经經动動进進种種长長开開"
    "间間问問关關实實体體点點电電机機与與么麼从從当當头頭无無见見让讓业業东東车車书書话話"
    "语語门門没沒样樣将將应應产產万萬义義乐樂习習买買乱亂争爭亚亞亲親亿億仅僅认認议議记記"
    "讲講许許论論设設访訪证證识識诉訴该該详詳误誤请請读讀课課谁誰调調谈談谢謝贝貝负負财財"
    "责責质質购購贵貴费費资資赛賽赶趕军軍转轉轮輪较較辆輛输輸边邊达達迁遷运運远遠违違连連"
    "选選递遞遗遺邮郵乡鄉钱錢铁鐵银銀错錯闭閉闻聞阳陽阴陰际際陆陸队隊阶階随隨险險难難雾霧"
    "页頁顶頂项項顺順须須预預领領题題风風飞飛饭飯马馬驾駕验驗鱼魚鸟鳥龙龍齐齊齿齒岁歲历歷"
    "县縣参參双雙变變号號叹嘆吗嗎员員响響团團园園围圍图圖圣聖场場坏壞块塊坚堅报報声聲处處"
    "备備夺奪奋奮妇婦妈媽孙孫宁寧宝寶宽寬寻尋导導层層岛島币幣师師带帶帮幫广廣庆慶库庫张張"
    "弹彈强強归歸录錄彻徹忆憶怀懷态態总總恶惡悬懸惊驚惯慣戏戲战戰护護担擔拥擁择擇换換损損"
    "摄攝击擊拟擬数數断斷显顯术術权權杀殺杂雜条條极極构構标標树樹桥橋档檔梦夢检檢欢歡欧歐"
    "毕畢气氣汉漢汤湯沟溝泽澤洁潔浅淺测測济濟浓濃涨漲湾灣满滿灯燈灵靈灾災炉爐热熱爱愛爷爺"
    "牵牽犹猶状狀独獨狮獅猎獵环環画畫畅暢疗療盐鹽监監盖蓋盘盤矿礦码碼础礎确確积積称稱稳穩"
    "穷窮竞競笔筆签簽简簡类類粮糧紧緊红紅约約级級纪紀纯純纸紙线線组組细細织織终終结結给給"
    "绝絕统統继繼续續维維综綜绿綠编編练練缩縮网網罗羅职職联聯聪聰肃肅胜勝脑腦脚腳脸臉节節"
    "苏蘇药藥获獲虽雖补補装裝视視觉覺览覽观觀规規计計订訂讨討训訓评評词詞译譯试試诗詩诚誠"
    "询詢诱誘诸諸谋謀谓謂贡貢败敗货貨贩販贪貪贫貧贯貫贴貼贷貸贸貿贺賀赏賞赔賠赞贊赢贏赵趙"
    "跃躍践踐轻輕载載辈輩辑輯辞辭辽遼迟遲逻邏邓鄧邻鄰郑鄭酱醬释釋针針钟鐘钢鋼链鏈销銷锁鎖"
    "锅鍋键鍵镇鎮闪閃闲閒闹鬧阅閱阵陣陈陳隐隱隶隸鸡雞离離顾顧顿頓频頻颜顏额額飘飄饮飲饰飾"
    "饱飽馆館驱驅驶駛驻駐骑騎骗騙鲜鮮鸣鳴鹅鵝麦麥龄齡龟龜丝絲严嚴丧喪丰豐临臨丽麗举舉乌烏"
    "乔喬亏虧亩畝仓倉仪儀众眾优優伞傘伟偉传傳伤傷伦倫伪偽侠俠侣侶侦偵侧側侨僑俭儉债債倾傾"
    "偿償储儲儿兒兑兌党黨兰蘭兴興养養兽獸册冊写寫农農决決况況冻凍净淨减減凤鳳凭憑凯凱刘劉"
    "则則刚剛创創删刪别別剂劑剑劍剧劇劝勸办辦务務励勵劲勁劳勞势勢区區医醫华華协協单單卖賣"
    "卢盧卫衛却卻厂廠厅廳压壓厌厭厕廁厦廈叙敘吕呂启啟吴吳呜嗚哑啞哗嘩唤喚喷噴嘱囑圆圓"
    "坛壇坝壩坟墳坠墜垒壘垦墾执執扩擴扫掃扬揚扰擾抚撫抢搶拣揀拦攔拨撥挂掛挡擋挣掙挤擠挥揮"
    "捞撈捡撿掷擲揽攬搁擱搂摟搅攪携攜摆擺摇搖敌敵敛斂斋齋斩斬旧舊旷曠昼晝晒曬晓曉暂暫杨楊"
    "枪槍柜櫃栋棟栏欄桩樁楼樓横橫樱櫻歼殲残殘毁毀毙斃汇匯沦淪沧滄沪滬泻瀉泼潑洒灑浆漿浇澆"
    "浊濁浏瀏浑渾涂塗涛濤润潤渊淵渐漸渔漁温溫湿濕溃潰滚滾滤濾滥濫滨濱滩灘潜潛灭滅灿燦炼煉"
    "烂爛烛燭烟煙烦煩烧燒焕煥牺犧狭狹狱獄猪豬猫貓献獻玛瑪疯瘋瘫癱盏盞睁睜矫矯砖磚硕碩碍礙"
    "礼禮祸禍秃禿秽穢窍竅窜竄窝窩竖豎笼籠筑築筹籌粪糞纠糾纤纖纬緯纱紗纲綱纳納纵縱纷紛纹紋"
    "纺紡纽紐绍紹绑綁绕繞绘繪络絡绳繩绵綿缓緩缘緣缝縫缴繳罚罰罢罷聋聾肠腸肤膚肾腎肿腫胀脹"
    "胁脅胆膽胶膠脉脈舰艦艰艱艳豔芦蘆苍蒼荐薦荡蕩荣榮莱萊营營萧蕭蓝藍虑慮虚虛蚁蟻蛮蠻衬襯"
    "袜襪誉譽讯訊讽諷诀訣诈詐诊診诞誕诺諾谅諒谊誼谍諜谎謊谜謎谣謠谦謙谨謹谱譜贞貞贤賢贼賊"
    "赋賦赌賭赖賴赚賺赠贈趋趨踪蹤躯軀轨軌软軟轰轟轿轎辅輔辉輝辩辯迈邁迹跡逊遜遥遙酿釀鉴鑒"
    "钓釣钞鈔钥鑰钦欽钩鉤钻鑽铃鈴铜銅铝鋁铺鋪锋鋒锡錫锦錦锻鍛镜鏡闯闖闷悶闸閘阀閥阁閣阐闡"
    "陕陝顽頑颁頒颂頌颇頗颗顆颠顛颤顫饲飼饶饒饼餅驰馳驳駁驴驢驼駝骂罵骄驕骆駱骚騷骤驟鲁魯"
    "鸭鴨鸽鴿鹤鶴鹰鷹韦韋韩韓"
)
_HANS_ONLY = frozenset(_HAN_PAIRS[0::2])
_HANT_ONLY = frozenset(_HAN_PAIRS[1::2])


class _ScriptTable(dict[int, str | None]):
    """``str.translate`` table: a letter becomes its script's mark, anything else is dropped.

    Filled lazily, one code point at a time, so only characters actually seen are classified.
    """

    def __missing__(self, codepoint: int) -> str | None:
        char = chr(codepoint)
        mark: str | None = None
        if unicodedata.category(char)[0] == "L":
            found = _SCRIPT_RE.match(char)
            if found is not None and found.lastgroup is not None:
                mark = _SCRIPT_MARK[found.lastgroup]
        self[codepoint] = mark
        return mark


_SCRIPT_TABLE = _ScriptTable()


def script_counts(text: str) -> dict[str, int]:
    """Letters per ISO 15924 script in ``text`` (Han counted as ``Hani``, whatever its variant)."""
    return {_MARK_SCRIPT[m]: n for m, n in Counter(text.translate(_SCRIPT_TABLE)).items()}


def _han_variant(text: str) -> str:
    """``Hans`` or ``Hant`` from characters that exist in only one of the two; else ``Hani``."""
    chars = Counter(text)
    simplified = sum(n for c, n in chars.items() if c in _HANS_ONLY)
    traditional = sum(n for c, n in chars.items() if c in _HANT_ONLY)
    if simplified > traditional:
        return "Hans"
    if traditional > simplified:
        return "Hant"
    return "Hani"


def _spread(text: str, size: int) -> str:
    """About ``size`` characters taken evenly across ``text`` (all of it when short)."""
    step = len(text) // size
    return text[::step] if step > 1 else text


def _dominant_script(text: str) -> str:
    if text.isascii():
        return "Latn" if any(c.isalpha() for c in text) else NO_SCRIPT
    counts = script_counts(text)
    if not counts:
        return NO_SCRIPT
    cjk = sum(n for s, n in counts.items() if s in _CJK)
    best = max(counts, key=counts.__getitem__)
    best_n = counts[best]
    if cjk < best_n or cjk == 0:
        return best
    kana = counts.get("Hira", 0) + counts.get("Kana", 0)
    hangul = counts.get("Hang", 0)
    han = counts.get("Hani", 0)
    if kana * 20 >= cjk:  # Japanese mixes kana into nearly every sentence
        return "Jpan"
    if hangul * 2 >= cjk:
        return "Kore" if han * 20 >= cjk else "Hang"
    if han >= max(counts.get("Bopo", 0), hangul):
        return _han_variant(text)
    return max((s for s in counts if s in _CJK), key=lambda s: counts[s])


def detect_script(text: str, sample: int = SAMPLE_CHARS) -> str:
    """The dominant ISO 15924 script of the letters in ``text``.

    Digits, punctuation, symbols and combining marks do not count. Han text gives ``Hans`` or
    ``Hant`` (``Hani`` when no character tells them apart), Han with kana gives ``Jpan``,
    Hangul gives ``Hang`` (``Kore`` with a noticeable share of Han). No letters: ``Zyyy``.
    Texts over ``sample`` characters (4,000 unless told) are judged on about that many
    characters spread evenly across them.
    """
    return _dominant_script(_spread(text, sample))
