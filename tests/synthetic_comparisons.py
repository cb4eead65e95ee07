"""A third synthetic report, for comparisons over years, gaps to targets and what a report says it will do.

Made up for the tests (a fictional 农林局 of a fictional 云溪区). It plants: a budget stated in one sentence with
its year's change as an amount and a rate; a spending stated only for this year, beside an earlier figure of
another subject ("公务接待费…较上年的10.00万元"); a by-year table whose unit is a column of its own (指标名称 |
计量单位 | 2022年 | 2023年 | 2024年); an initial budget named before its subject ("年初批复部门预算收入"); an
indicator row with a target the achieved value falls short of; a project whose name holds 标准 (高标准苗圃) and
its area; retired staff counted as 离退休人员; a shortfall with the problem and the remedy in their own sections.
"""

from __future__ import annotations

from pathlib import Path

REPORT_NAME = "云溪区农林局2024年度部门整体支出绩效自评报告.txt"

REPORT = """云溪区农林局2024年度部门整体支出绩效自评报告
一、基本情况
（一）机构人员
本局内设科室6个。年末在职人员48人，另有离退休人员31人，其中离休人员1人、退休人员30人。
（二）预算收支
2024年年初批复部门预算收入2,400.00万元，其中一般公共预算财政拨款2,100.00万元。全年调整后预算为2,760.00万元，较上年调整后预算2,500.00万元增加260.00万元，增长10.40%。
2024年度部门实际支出2,622.00万元，预算执行率为95.00%。“三公”经费支出8.00万元，全部为公务接待费，较上年的10.00万元下降20.00%。
高标准苗圃建设项目实际支出360.00万元，建成高标准苗圃1.20万亩。
表1 2022—2024年主要指标对比表
指标名称 | 计量单位 | 2022年 | 2023年 | 2024年
林木良种推广 | 万株 | 150 | 168 | 180
森林防火巡查 | 人次 | 9,000 | 9,600 | 10,200
部门实际支出 | 万元 | 2,210.00 | 2,380.00 | 2,622.00
二、绩效目标完成情况
表2 部门整体支出绩效指标完成情况
一级指标 | 二级指标 | 三级指标 | 指标值 | 实际完成值 | 分值 | 得分
效益指标 | 可持续影响 | 林木良种覆盖比例 | ≥60% | 57.5% | 5 | 4
满意度指标 | 服务对象满意度 | 林农满意度 | ≥90% | 86.0% | 5 | 4
林农满意度为86.0%，未达到90%的目标值。
三、存在的问题
（一）技术服务覆盖不足
乡镇林业站技术人员偏少，偏远村组林农得到的上门技术指导次数不足，林农满意度低于目标值。
四、改进措施
（一）加强基层技术服务
2025年计划组建林业科技服务小分队8支，每支配备技术人员3名，重点覆盖偏远村组和新造林地块，力争林农满意度达到90%以上；对乡镇林业站开展全员轮训，全年轮训技术人员不少于60人次，提升上门指导能力。
（二）扩大良种推广
将新建良种采穗圃2个，推动林木良种覆盖比例达到60%以上。
"""


def write_comparisons_report(folder: Path) -> Path:
    """Write the comparisons report into a folder and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / REPORT_NAME
    path.write_text(REPORT, encoding="utf-8")
    return path
