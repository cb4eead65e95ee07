"""A second synthetic report, of projects told mostly in tables, that behaviour tests index and ask about.

Made up for the tests (a fictional 水务局 of a fictional 白沙县). It plants what reports as published carry:
a funds table, an indicator table per project (年度指标值 | 实际完成值 | 分值 | 得分, the row naming the
measure and the caption the project), a score summary whose headers state the weights ("产出指标(50分)"),
an execution rate that its own two figures contradict (restated in the project's prose), a stated average, a 合计 row labelled in the 序号 column, a grade column,
the companies a fund is paid to (named once, counted in a decoy list), a platform whose sub-sections speak of it
only as 平台, counts a rate is made of (问卷 handed out and returned), what came in and went out of a count (with and without the net stated), a list counted by the report itself beside a counted list of another kind, money paid out of a budget
(拨付) and spent, a sentence announcing numbered items (如下：), counts stated with the year's change (较上年增加, 其中当年新建) or only a rate of it, and details the report never gives (a contractor, a split of the people served, a rate it does
not report).
"""

from __future__ import annotations

from pathlib import Path

REPORT_NAME = "白沙县水务局2024年度项目支出绩效自评报告.txt"

REPORT = """白沙县水务局2024年度项目支出绩效自评报告
一、基本情况
2024年纳入自评的项目共2个：农村供水保障工程、河道清淤整治项目。项目资金情况见表1。
表1 2024年度项目资金情况（单位：万元）
序号 | 项目名称 | 调整后预算 | 实际支出 | 执行率
1 | 农村供水保障工程 | 800.00 | 760.00 | 95.00%
2 | 河道清淤整治项目 | 500.00 | 430.00 | 68.60%
合计 |  | 1,300.00 | 1,190.00 | 91.54%
二、项目绩效情况
年度总体目标：全县水质投诉件数同比下降10%以上，用水户满意度不低于90%。
（一）农村供水保障工程
本项目调整后预算800.00万元，实际支出760.00万元。全年新建供水管网120公里，年度目标为不少于100公里，受益人口5.6万人，改造提升3个乡镇水厂。工程由县水务工程中心组织实施，其中管网工程(含入户)支出520.00万元。经第三方审核核减不合理支出12.00万元。重点推进“农村饮水安全提升”“城乡供水一体化”两项行动。工程于2024年10月28日通过竣工验收。
表2 农村供水保障工程绩效指标完成情况
一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分
预算执行率 | — | 预算执行率 | ≥90% | 95.00% | 10 | 10
产出指标 | 数量指标 | 新建供水管网 | ≥100公里 | 120公里 | 20 | 20
满意度指标 | 服务对象满意度 | 用水户满意度 | ≥90% | 93% | 10 | 9
（二）河道清淤整治项目
全年完成河道清淤45公里，项目执行率68.60%，主要原因是部分标段进场推迟。全年排查堤防渗漏点40处，完成修复32处。
（三）资产和补助情况
年末固定资产原值600.00万元，其中专用设备150.00万元。困难户饮水补助标准为每户每月30元，全年补助困难户120户。全年新增纳入补助的困难户35户，因收入提高退出12户。全年审核村级供水工程24个，累计核减金额48.00万元。县水务工程中心年末在职职工58人，比上年减少2人（全年调入1人、调出3人）。县水务工程中心下设管网所、水质检测站两个二级单位。县水务工程中心职工宿舍核定床位60张。全县应急抢修队员86人，主要在县应急供水服务站和2个乡镇水厂值守。县应急供水服务站主要承担管网抢修和应急送水工作，核定床位24张；县水质检测站负责出厂水检测。截至2024年底，全县建成村级供水站点58个，较上年增加6个。全县累计建成水质监测点120个，其中2024年新建15个。全年供水总量1,260万吨，同比增长5.00%。全县水质投诉件数同比下降15.0%。全年组织水质专项检查2项：一是开展二次供水设施专项检查，检查水厂6家次；二是开展农村水站专项检查，检查水厂9家次。全年共检查水厂40家次，督促整改问题17个。为了筹集建设资金，以“城乡供水一体化”名义申报2024年专项债，其中涉及5个乡镇，总投资3.20亿元，申请专项债资金1.50亿元，当年按进度完成0.90亿元资金支付。
运行补助资金拨付给3家供水企业，即白沙县自来水有限公司、青石供水有限公司和河口水务集团有限公司。县水务局对3家供水企业的水质、水量和服务开展季度考核。
（四）供水信息平台建设
1.建设内容
平台建设内容包括水质监测、管网巡检和用户服务3个子系统。平台于2024年4月完成招标采购。平台年初预算400.00万元，县财政按合同付款进度拨付资金300.00万元，实际支出240.00万元。供水信息平台招标采购资料已完成整理归档，力争2025年6月完成终验。
2.完成情况
平台已与应急管理、生态环境、住房建设3个部门实现数据共享。平台日常运维由县水务工程中心负责，上线以来处理管网漏损点26个。
3.偏差原因分析
一是上线时间滞后。平台与既有收费系统的接口适配耗时较长，较计划推迟两个月上线。二是使用频次偏低。部分水厂人员操作培训不够充分。
（五）营业服务
县水务局营业厅推行周末延时服务，提供报装、缴费等事项的延时办理。营业厅运行经费预算20.00万元，支出18.00万元，占项目支出总额的1.51%。
营业厅面向用水户发放服务评价问卷500份，回收有效问卷460份。县水务局委托第三方调查机构开展用水户满意度调查。县水务局委托白沙工程咨询有限公司开展供水管网普查。
县水务局从服务态度、办理时限、环境卫生和投诉处理4个方面考核营业厅。营业厅年度服务考核结果为良好。营业厅业务依据《白沙县供水条例》、《营业服务规范》和《水费收费办法》办理，由县自来水营业所承办。营业厅所办的业务分为三类：报装受理、缴费结算、故障报修。
（六）其他专项支出
2024年共实施水源保护项目3个，各项目情况如下：
（1）水源地隔离防护工程。完成隔离网建设12公里。
（2）水源地标志设置工程。设置标志牌40块。
（3）水源地巡查能力建设。配备巡查无人机2架。
三、综合评价
表3 2024年度项目自评得分汇总表
项目名称 | 预算执行率(10分) | 产出指标(50分) | 效益指标(30分) | 满意度指标(10分) | 自评得分 | 评价等次
农村供水保障工程 | 10 | 48 | 27 | 9 | 94 | 优
河道清淤整治项目 | 6.86 | 45 | 26 | 9 | 86.86 | 良
2个项目平均得分90.43分，总体评价等次为“优”。
"""


def write_tables_report(directory: Path) -> Path:
    """Write the synthetic report into a folder and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / REPORT_NAME
    path.write_text(REPORT, encoding="utf-8")
    return path
