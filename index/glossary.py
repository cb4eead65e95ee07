"""Domain glossary for query expansion: everyday Chinese and English words to the terms reports use.

Performance self-evaluation reports speak an official register (预算完成率, 公务用车运行维护费, 群众满意率);
officials ask in everyday words (花了多少钱, 公车, 老百姓) or in English. The lexical side of retrieval
only matches words that occur, so questions are expanded with the report-register terms below.
The entries are general to this genre of report, not to any one report.
"""

from __future__ import annotations

import re

# everyday Chinese -> report register
COLLOQUIAL: dict[str, tuple[str, ...]] = {
    "老百姓": ("群众", "市民"),
    "百姓": ("群众",),
    "市民": ("群众",),
    "办事的人": ("群众", "企业"),
    "公车": ("公务用车",),
    "车": ("公务用车", "车辆"),
    "出国": ("因公出国（境）",),
    "出境": ("因公出国（境）",),
    "请客": ("公务接待",),
    "招待": ("公务接待",),
    "吃饭": ("公务接待", "餐饮"),
    "花了": ("支出",),
    "花钱": ("支出", "经费"),
    "花": ("支出",),
    "用了": ("支出",),
    "钱": ("经费", "资金", "金额"),
    "多少钱": ("金额", "经费", "万元"),
    "没花": ("预算", "支出", "结余"),
    "剩下": ("预算", "支出"),
    "剩": ("预算", "支出"),
    "省了": ("核减", "节约"),
    "省钱": ("核减", "节约"),
    "节省": ("核减", "节约"),
    "好不好": ("满意率", "好评", "评价"),
    "满意": ("满意率", "好评"),
    "评价": ("满意率", "好评", "评价"),
    "口碑": ("好评", "满意率"),
    "周末": ("周末", "延时服务"),
    "下班": ("延时服务", "24小时"),
    "晚上": ("延时服务", "24小时"),
    "没空": ("延时服务", "周末"),
    "抽不出空": ("延时服务", "周末"),
    "人": ("人员", "编制"),
    "员工": ("人员", "编制", "在编人员"),
    "编制": ("编制", "在编人员"),
    "正式": ("编制", "在编"),
    "没信号": ("信号盲区", "信号覆盖"),
    "手机信号": ("信号盲区", "5G", "信号覆盖"),
    "信号": ("信号盲区", "信号覆盖", "基站"),
    "网上办": ("网办", "线上", "一网通办"),
    "网上": ("网办", "线上", "网上"),
    "跑一次": ("一件事", "一次办"),
    "审批": ("审批", "行政许可"),
    "把关": ("审核", "评审"),
    "查": ("审核", "检查"),
    "问题": ("问题", "不足"),
    "不足": ("存在的主要问题",),
    "毛病": ("存在的主要问题",),
    "打算": ("改进措施", "下一步"),
    "下一步": ("改进措施",),
    "得分": ("得分", "自评分值", "评分"),
    "打分": ("得分", "自评分值", "评分"),
    "分数": ("得分", "分值"),
    "等级": ("自评结果", "等级"),
    "完成得怎么样": ("完成率", "完成预算"),
    "执行": ("执行率", "完成率"),
    "进度": ("执行进度", "完成率"),
    "工资": ("工资福利支出", "人员经费"),
    "采购": ("政府采购",),
    "买": ("采购", "购置"),
    "收费": ("非税收入", "行政事业性收费"),
    "罚款": ("罚没收入",),
    "部门": ("部门", "单位"),
    "科室": ("内设机构",),
    "机构": ("内设机构", "下属"),
    "下属": ("下属事业单位",),
    "领导": ("负责人",),
}

# English -> report register (lower-case keys; multi-word keys first when matching)
ENGLISH: dict[str, tuple[str, ...]] = {
    "budget": ("预算",),
    "budgeted": ("预算",),
    "spent": ("支出",),
    "spending": ("支出",),
    "expenditure": ("支出",),
    "expense": ("支出", "经费"),
    "expenses": ("支出", "经费"),
    "revenue": ("收入",),
    "income": ("收入",),
    "completion rate": ("完成率", "完成预算"),
    "execution rate": ("执行率",),
    "completion": ("完成",),
    "rate": ("率",),
    "score": ("得分", "分值"),
    "scored": ("得分",),
    "grade": ("自评结果",),
    "rating": ("自评结果", "评价"),
    "self-evaluation": ("自评",),
    "evaluation": ("评价",),
    "satisfaction": ("满意率",),
    "government service": ("政务服务",),
    "government services": ("政务服务",),
    "service": ("服务",),
    "services": ("服务",),
    "matters": ("事项",),
    "matter": ("事项",),
    "items": ("事项", "项"),
    "online": ("线上", "网上"),
    "offline": ("线下",),
    "district-wide": ("全区",),
    "district": ("区",),
    "data": ("数据",),
    "topics": ("主题",),
    "topic": ("主题",),
    "departments": ("部门",),
    "department": ("部门",),
    "application scenarios": ("应用场景",),
    "scenarios": ("场景",),
    "supplied": ("提供",),
    "provided": ("提供",),
    "base stations": ("基站",),
    "base station": ("基站",),
    "5g": ("5G", "基站"),
    "built": ("新建", "建成"),
    "new": ("新建", "新增"),
    "staff": ("人员", "编制"),
    "employees": ("人员", "编制"),
    "headcount": ("编制",),
    "vehicles": ("公务用车",),
    "vehicle": ("公务用车",),
    "car": ("公务用车",),
    "cars": ("公务用车",),
    "reception": ("公务接待",),
    "hospitality": ("公务接待",),
    "travel abroad": ("因公出国（境）",),
    "overseas": ("因公出国（境）",),
    "procurement": ("政府采购",),
    "purchase": ("采购",),
    "non-tax": ("非税收入",),
    "special bonds": ("专项债",),
    "special bond": ("专项债",),
    "bond": ("专项债",),
    "investment": ("投资",),
    "problems": ("存在的主要问题",),
    "issues": ("存在的主要问题",),
    "improvement": ("改进措施",),
    "measures": ("措施",),
    "key tasks": ("重点任务",),
    "projects": ("项目",),
    "project": ("项目",),
    "digital government": ("数字政府",),
    "administrative licensing": ("行政许可",),
    "licensing": ("行政许可",),
    "approval": ("审批",),
    "appointment": ("预约",),
    "weekend": ("周末",),
    "hall": ("大厅",),
    "center": ("中心",),
    "centre": ("中心",),
    "signal": ("信号",),
    "blind spots": ("信号盲区",),
    "salaries": ("工资福利支出",),
    "salary": ("工资福利支出",),
    "personnel": ("人员",),
    "units": ("单位",),
    "subordinate": ("下属",),
    "internal": ("内设",),
    "divisions": ("内设机构",),
    "platform": ("平台",),
    "platforms": ("平台",),
    "shared": ("共享",),
    "sharing": ("共享",),
    "records": ("条",),
    "intermediary": ("中介服务",),
    "performance": ("绩效",),
    "indicators": ("指标",),
    "total": ("总",),
}

_ENGLISH_KEYS = sorted(ENGLISH, key=len, reverse=True)


def expand_chinese(question: str) -> list[str]:
    """Return report-register terms for the everyday words a Chinese question uses."""
    terms: list[str] = []
    for word, expansions in COLLOQUIAL.items():
        if word in question:
            terms.extend(t for t in expansions if t not in question and t not in terms)
    return terms


def translate_english(question: str) -> list[str]:
    """Return the Chinese report terms for the English words of a question (numbers kept)."""
    text = " " + re.sub(r"[^a-z0-9\- ]", " ", question.lower()) + " "
    terms: list[str] = []
    for key in _ENGLISH_KEYS:
        needle = f" {key} "
        if needle in text:
            text = text.replace(needle, " ")
            terms.extend(t for t in ENGLISH[key] if t not in terms)
    terms.extend(re.findall(r"\d+(?:\.\d+)?%?", question))
    return terms
