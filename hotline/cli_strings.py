"""Chinese for the `workstation` command's help texts, keyed by the English text.

Each area's ``cli`` module writes its help in English; the help formatter
(hotline.cli_parser) shows the Chinese from here when the interface language is zh.
A help text missing here is shown in English (tests/cli checks that none is missing).
"""

from __future__ import annotations

HELP_ZH: dict[str, str] = {
    # the semantic stage (issue 16)
    "make the vectors the articles lack (resumable)": "为缺少向量的文章生成向量（可断点续做）",
    "do not embed the articles (search is lexical)": "不为文章生成向量（只做字词检索）",
    "the keystroke ranking only (no dense stage)": "只用逐键检索的排序（不做语义检索）",
    "make the KB articles' missing or stale vectors now": "立即为知识库文章补做缺失或过期的向量",
    "only show how many are up to date": "只显示多少篇的向量是最新的",
    # the sub-commands
    "compute a work order's deadline (办理期限)": "计算工单的办理期限",
    "working-day calendar: check a year, load an overrides file": "工作日历：检查某年数据，加载放假安排文件",
    "knowledge base: import and search articles": "知识库：导入和检索文章",
    "run the central server (HTTP)": "运行中心服务器（HTTP）",
    "administer the central server's database": "管理中心服务器的数据库",
    "this seat: enrol with the central server": "本席位：向中心服务器注册",
    "log a user in on this seat (password: stdin or WORKSTATION_PASSWORD)": (
        "在本席位登录用户（密码：标准输入或 WORKSTATION_PASSWORD）"
    ),
    "work orders in the seat's local cache": "本席位本地缓存中的工单",
    "synchronise the seat with the central server": "与中心服务器同步本席位",
    "intake assist: suggest type, handling unit and non-accepted reason": (
        "受理辅助：建议类型、承办单位和不予受理原因"
    ),
    "open the seat workstation (login, then the home screen of the role)": (
        "打开席位工作台（登录后进入该角色的主界面）"
    ),
    "start an embedded central server with demo data and open the app logged in": (
        "启动内置中心服务器和演示数据，并以登录状态打开工作台"
    ),
    "tell the running workstation about an incoming call": "通知正在运行的工作台有来电",
    # deadline, calendar
    "Deadline in working days from dispatch on the official calendar.": (
        "按官方日历，从派单起按工作日计算的办理期限。"
    ),
    "dispatch time, e.g. 2026-09-30T10:00+08:00 (no offset: the city's time zone)": (
        "派单时间，例如 2026-09-30T10:00+08:00（不带时区：按本市时区）"
    ),
    "the order needs investigation (10 days)": "需调查核实（10 个工作日）",
    "print a JSON object": "输出一个 JSON 对象",
    "configuration file (workstation.toml)": "配置文件（workstation.toml）",
    "The working-day calendar (chinesecalendar plus the city's overrides).": (
        "工作日历（chinesecalendar 加上本市的放假安排文件）。"
    ),
    "is official data for YEAR loaded?": "是否已有 YEAR 年的官方数据？",
    "validate an overrides file and install it in the data directory": (
        "校验放假安排文件并安装到数据目录"
    ),
    "replace the installed file instead of merging its years into it": (
        "替换已安装的文件，而不是把其中的年份合并进去"
    ),
    # kb
    "import JSON Lines, CSV or a folder of Markdown": "导入 JSON Lines、CSV 或 Markdown 文件夹",
    "search the knowledge base": "检索知识库",
    'lines of {"query": ...}': '每行一个 {"query": ...}',
    "JSON output": "输出 JSON",
    "SQLite file (default: the seat's local cache)": "SQLite 文件（默认：本席位的本地缓存）",
    "import nothing if any record is bad": "有任何一条记录无效时全部不导入",
    # serve, admin
    "database URL (sqlite:///path or postgresql://...)": (
        "数据库地址（sqlite:///路径 或 postgresql://...）"
    ),
    "1-65535 (default: the port of server_url)": "1–65535（默认：server_url 的端口）",
    "server processes sharing the database": "共用数据库的服务器进程数",
    "create the directory of a --db SQLite file if it does not exist": (
        "--db 指定的 SQLite 文件所在目录不存在时创建它"
    ),
    "database URL (default: WORKSTATION_DB_URL or the data directory)": (
        "数据库地址（默认：WORKSTATION_DB_URL 或数据目录）"
    ),
    "create or upgrade the database": "创建或升级数据库",
    "upgrade the database schema (default: to the newest)": "升级数据库结构（默认：升到最新）",
    "target revision (e.g. 0002)": "目标版本（例如 0002）",
    "load the routing directory (JSON Lines)": "加载单位名录（JSON Lines）",
    "add a user (password from stdin or WORKSTATION_PASSWORD)": (
        "添加用户（密码来自标准输入或 WORKSTATION_PASSWORD）"
    ),
    "the unit code (unit users)": "单位代码（承办单位用户）",
    "enrol a seat and print its token once": "注册席位并输出其令牌（只显示一次）",
    "order-number prefix (default: <order_prefix>-<seat>)": (
        "工单编号前缀（默认：<order_prefix>-<席位>）"
    ),
    "revoke a seat token and its sessions": "吊销席位令牌及其会话",
    "disable a user and end their sessions": "停用用户并结束其会话",
    "every order with its events and contacts": "导出全部工单及其事件和来电记录",
    "one JSON document (default: JSON Lines)": "输出一个 JSON 文档（默认：JSON Lines）",
    "run the periodic jobs once": "执行一次定时任务",
    "ISO time to run them at (default: now)": "按此 ISO 时间执行（默认：现在）",
    "retrain the intake assist from closed orders": "用已办结工单重新训练受理辅助",
    "train even if not due by the settings": "即使按设置尚未到期也训练",
    "import KB articles (JSONL, CSV, Markdown folder)": "导入知识库文章（JSONL、CSV、Markdown 文件夹）",
    "the assessment per unit and period": "按单位和期间的考核",
    "first day, YYYY-MM-DD (city time)": "第一天，YYYY-MM-DD（本市时间）",
    "the day after the last (exclusive)": "最后一天的后一天（不含）",
    "one unit's code (default: every unit)": "单位代码（默认：全部单位）",
    "file to write (default: standard output)": "输出文件（默认：标准输出）",
    # seat, login, order, sync
    "enrol this seat (token from the admin)": "注册本席位（令牌由管理员提供）",
    "show the seat's enrolment": "显示本席位的注册信息",
    "the seat's data directory (seat.sqlite3)": "本席位的数据目录（seat.sqlite3）",
    "the seat's data directory": "本席位的数据目录",
    "dispatch work orders from JSON Lines, exactly as the intake form does": (
        "从 JSON Lines 派发工单，规则与受理表单相同"
    ),
    "- = stdin": "- 表示标准输入",
    "print an order's local (optimistic) snapshot": "输出工单的本地（乐观）快照",
    "one round, then exit": "同步一轮后退出",
    "print the sync status and exit": "输出同步状态后退出",
    "list commands the server rejected": "列出被服务器拒绝的操作",
    "server URL (default: the enrolled one)": "服务器地址（默认：注册时的地址）",
    "print JSON": "输出 JSON",
    # assist
    "JSON Lines of {\"text\": ...} ('-': stdin)": '每行一个 {"text": ...} 的文件（- 表示标准输入）',
    "write one JSON line per request": "每条请求输出一行 JSON",
    "a model trained by 'assist train'": "由 assist train 训练的模型",
    "routing directory (units.jsonl)": "单位名录（units.jsonl）",
    "knowledge-base articles (JSON Lines)": "知识库文章（JSON Lines）",
    "train the model from closed orders": "用已办结工单训练模型",
    "JSON Lines {text, type, unit}": "每行一个 {text, type, unit}",
    "model file to write": "要写入的模型文件",
    "routing directory: drop unknown units": "单位名录：丢弃未知单位",
    # tui, demo, call-event
    "interface language": "界面语言",
    "log in as this user (password from WORKSTATION_PASSWORD)": (
        "以此用户登录（密码来自 WORKSTATION_PASSWORD）"
    ),
    "print the binding ids for keymap.toml": "输出快捷键编号（用于 keymap.toml）",
    "which demo user to log in as (default: agent)": "以哪个演示用户登录（默认：agent）",
    "server port, 1-65535 (default: a free one)": "服务器端口，1–65535（默认：任一空闲端口）",
    "prepare the demo data only": "只准备演示数据",
    "the caller's number": "来电号码",
    "the caller's name, if the telephony knows it": "来电人姓名（话务系统知道时）",
}
