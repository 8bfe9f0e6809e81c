"""Traditional characters as simplified: Cantonese speakers in Guangdong, and people whose phone
keyboard is set to 繁體, type 項目, 產業, 紅 for 项目, 产业, 红. The clauses, the dictionary and
every word list are simplified, so a traditional question shared no word with them.

The table holds the traditional forms (GB/T 2312 ↔ Big5 pairs of the 通用规范汉字表) of the
characters the policy text, the domain terms and everyday questions use: the policy's own
vocabulary (項目, 勞務, 報酬, 發放, 崗位, 驗收, 臺賬 …), people and places (鄉鎮, 縣, 村民們),
and the function characters of a question (這, 個, 麼, 嗎, 還, 會, 說, 們, 來, 後 …). One
character to one. 係 is left to the dialect rules (query._DIALECT): in a Cantonese question it
is 是, after 关/联 it is 系.
"""

from __future__ import annotations

_PAIRS = (
    # the policy's vocabulary
    "項项 勞劳 務务 報报 發发 放放 崗岗 驗验 臺台 賬账 帳账 產产 業业 紅红 資资 財财 金金 "
    "額额 總总 讓让 農农 業业 縣县 鄉乡 鎮镇 級级 區区 市市 省省 國国 築筑 設设 礎础 "
    "紮扎 實实 踐践 際际 團团 組组 織织 動动 員员 眾众 群群 體体 幹干 訓训 練练 "
    "護护 養养 維维 修修 潔洁 衛卫 環环 態态 聯联 繫系 點点 負负 責责 監监 督督 "
    "檢检 審审 批批 準准 標标 單单 價价 評评 獎奖 勵励 結结 運运 經经 濟济 賑赈 "
    "興兴 振振 鄉乡 場场 與与 參参 擇择 選选 舉举 辦办 導导 領领 樣样 類类 "
    "規规 範范 議议 協协 簽签 訂订 證证 據据 條条 題题 問问 稱称 簡简 權权 益益 "
    "應应 費费 補补 貼贴 週周 期期 數数 歲岁 齡龄 據据 劃划 計计 調调 度度 "
    "線线 網网 統统 關关 於于 為为 無无 難难 屬属 復复 積积 極极 "
    "建建 設设 施施 續续 優优 勢势 傳传 帶带 鏈链 謀谋 術术 藝艺 機机 械械 備备 "
    "開开 啟启 闆板 廠厂 礦矿 寫写 讀读 識识 識识 學学 習习 聽听 講讲 說说 話话 "
    "訊讯 記记 錄录 紀纪 擔担 貸贷 買买 賣卖 錢钱 銀银 費费 賠赔 償偿 損损 壞坏 "
    "舊旧 觀观 現现 狀状 況况 處处 決决 達达 過过 進进 還还 邊边 遠远 近近 "
    "這这 個个 們们 麼么 嗎吗 呢呢 嗎吗 沒没 給给 會会 來来 後后 時时 裡里 "
    "對对 說说 請请 當当 讓让 幫帮 總总 將将 從从 們们 誰谁 哪哪 甚甚 麼么 "
    "東东 車车 橋桥 渠渠 電电 燈灯 園园 隊队 戶户 莊庄 塊块 條条 間间 "
    "頭头 歡欢 樂乐 氣气 響响 張张 號号 碼码 兩两 萬万 億亿 幾几 隻只 "
    "長长 門门 問问 閒闲 閑闲 聞闻 關关 為为 專专 導导 雙双 圍围 齊齐 "
    "藥药 醫医 險险 傷伤 斷断 續续 約约 紙纸 綫线 纜缆 貧贫 窮穷 "
    "儘尽 盡尽 儲储 存存 庫库 倉仓 貨货 糧粮 餘余 剩剩 "
)
TRADITIONAL = str.maketrans({pair[0]: pair[1] for pair in _PAIRS.split() if pair[0] != pair[1]})
TRADITIONAL_CHARS = frozenset(map(chr, TRADITIONAL))


def simplified(text: str) -> str:
    """The text with the traditional characters of the table written simplified."""
    return text.translate(TRADITIONAL)
