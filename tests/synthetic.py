"""A small synthetic performance report that behaviour tests index and ask about.

It is made up for the tests (a fictional 文化旅游局 of a fictional 青禾县) and plants the cases the answering
core must handle: a budget, adjustment and spending per project in prose and in a table, a breakdown after
其中, a comparison with the previous year, a stated share, a count with its unit, a goal beside what was
achieved, a unit slip (元 written for 万元), a contract signed without its amount, and a company never named.
"""

from __future__ import annotations

from pathlib import Path

REPORT_NAME = "青禾县文化旅游局2024年度部门整体支出绩效自评报告.txt"

REPORT = """青禾县文化旅游局2024年度部门整体支出绩效自评报告
一、部门基本情况
（一）部门职责
青禾县文化旅游局（以下简称“县文旅局”）负责全县文化事业、旅游产业和文物保护工作。局机关内设办公室、文化科、旅游科3个科室，下设县图书馆1个二级单位。
（二）人员情况
年末实有在职人员42人，其中行政人员18人、事业人员24人。
二、预算收支情况
（一）预算收入情况
2024年，县文旅局年初预算1,200.00万元，年中追加300.00万元，全年调整预算1,500.00万元，比上年的1,250.00万元增长20.00%。
（二）预算支出情况
2024年，县文旅局实际支出1,350.00万元，预算执行率90.00%。其中，基本支出450.00万元、项目支出900.00万元。
按项目划分情况见表1。
表1 2024年度重点项目资金情况（单位：万元）
项目名称 | 年初预算 | 调整预算 | 实际支出 | 执行率
乡村文化站提升工程 | 400.00 | 500.00 | 460.00 | 92.00%
全域旅游推广经费 | 300.00 | 350.00 | 280.00 | 80.00%
合计 | 700.00 | 850.00 | 740.00 | 87.06%
三、绩效目标完成情况
（一）乡村文化站提升工程
全年完成乡村文化站改造36个，计划改造不少于30个。项目于2024年6月通过公开招标确定施工单位，并签订施工合同。
（二）全域旅游推广经费
全年接待游客218.5万人次，同比增长12.30%，旅游综合收入占全县GDP的6.80%。推广经费中宣传品制作支出45.00元。
四、自评结论
经综合评定，县文旅局2024年度部门整体支出绩效自评得分91.5分，评价等级为“优”。
五、存在的主要问题
一是全域旅游推广经费执行率偏低；二是乡村文化站运营管理人员不足。
"""


def write_report(directory: Path) -> Path:
    """Write the synthetic report into a folder and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / REPORT_NAME
    path.write_text(REPORT, encoding="utf-8")
    return path
