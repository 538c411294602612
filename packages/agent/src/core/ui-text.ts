import type { Category, Locale, SelfTestResult, Severity } from 'posdiag-protocol';
import type { ReadingValue } from './readings.js';
import type { TerminalIdentity } from './terminal-identity.js';

/**
 * Every word of posdiag's human output (the self-test's progress, summary and receipts, `posdiag
 * status`), in each locale, in this one table, so a zh-CN terminal reads Chinese throughout. Fault
 * codes, reading names, terminal ids and units are left as they are: they are identifiers a technician
 * looks up. Fault summaries and merchant steps live with their codes in the fault catalog, device names
 * with their families (src/devices/<family>/index.ts).
 */

type Level = SelfTestResult['level'];

interface UiText {
  /** Check names; `tls:<target>` is built by `tlsCheck`. */
  checks: Record<string, string>;
  tlsCheck: (target: string) => string;
  levels: Record<Level, string>;
  severities: Record<Severity, string>;
  categories: Record<Category, string>;
  /** Words a reading takes (SPEC §4 enumerations, probe errors, swipe outcomes); others show as read. */
  values: Record<string, string>;
  yes: string;
  no: string;
  /** Between the parts of one line's list. */
  separator: string;
  /** `label: text`, with the locale's colon. */
  labelled: (label: string, text: string) => string;
  /** "severity (category)" after a fault's code. */
  severityOf: (severity: string, category: string) => string;
  inhibitedBy: (code: string) => string;
  automatic: string;

  selfTest: {
    title: (level: string, terminal: TerminalIdentity) => string;
    verdict: string;
    passed: string;
    failed: string;
    ref: string;
  };
  /** Check details, as the self-test decides them (they go into the result and the hub's report too). */
  detail: {
    ok: string;
    noAnswer: string;
    stateUnknown: string;
    printed: string;
    notPrinted: string;
    cannotPrint: string;
    legibleQuestion: string;
    legible: string;
    illegible: string;
    handshake: (ms: number) => string;
    swipeRequest: (seconds: number) => string;
    noSwipe: (seconds: number) => string;
    /** A magnetic track by its number, in a swipe's detail. */
    track: (n: number) => string;
  };
  receipt: {
    testTitle: string;
    testEnd: string;
    testChinese: string | null;
    title: string;
    terminal: string;
    time: string;
    level: string;
    checkPassed: string;
    checkFailed: string;
    result: string;
    todo: string;
    noRemedy: string;
    ref: string;
    workOrder: string;
  };
  status: {
    header: (terminal: TerminalIdentity, at: string, source: string) => string;
    sources: { daemon: string; 'one poll': string };
    readings: string;
    faults: string;
    none: string;
    hints: string;
    since: (at: string) => string;
    sinceUnknown: string;
    flapping: string;
    uplink: string;
    uplinkStates: { connected: string; connecting: string; disconnected: string; 'not configured': string; 'not running': string };
    lastAck: (at: string) => string;
    noAckYet: string;
    awaitingAck: (n: number) => string;
    outbox: string;
    outboxUnreadable: string;
    records: (n: number) => string;
    bytes: (n: number) => string;
    onDisk: string;
    inMemory: string;
    dropped: (n: number) => string;
    lock: string;
    locked: (since: string | null, reason: string | null) => string;
    unlocked: string;
    workOrder: string;
    workOrderState: (ref: string, state: string) => string;
  };
}

const en: UiText = {
  checks: { status: 'status', receipt: 'receipt', legible: 'legible', registration: 'registration', swipe: 'swipe', hint: 'hint' },
  tlsCheck: (target) => `tls:${target}`,
  levels: { quick: 'quick', full: 'full', interactive: 'interactive' },
  severities: { critical: 'critical', major: 'major', minor: 'minor', info: 'info' },
  categories: { hardware: 'hardware', software: 'software', network: 'network', io: 'io', security: 'security' },
  values: {},
  yes: 'true',
  no: 'false',
  separator: ', ',
  labelled: (label, text) => `${label}:${text ? ` ${text}` : ''}`,
  severityOf: (severity, category) => `${severity} (${category})`,
  inhibitedBy: (code) => `explained by ${code}`,
  automatic: '(done automatically)',
  selfTest: {
    title: (level, t) => `Self-test (${level}) — ${t.id} ${t.model} SN ${t.serial}`,
    verdict: 'Self-test',
    passed: 'PASSED',
    failed: 'FAILED',
    ref: 'reference for your service provider',
  },
  detail: {
    ok: 'ok',
    noAnswer: 'no answer',
    stateUnknown: 'state unknown',
    printed: 'printed and cut',
    notPrinted: 'not printed',
    cannotPrint: 'this printer driver cannot print receipts: no test receipt was printed',
    legibleQuestion: 'Is the test receipt legible? (yes/no)',
    legible: 'legible',
    illegible: 'not legible',
    handshake: (ms) => `TLS handshake ${ms} ms`,
    swipeRequest: (s) => `Swipe the test card within ${s} s`,
    noSwipe: (s) => `no swipe within ${s} s`,
    track: (n) => `t${n}`,
  },
  receipt: {
    testTitle: 'PRINTER TEST',
    testEnd: 'If you can read every line, the printer is fine.',
    testChinese: null,
    title: 'SELF-TEST',
    terminal: 'Terminal',
    time: 'Time',
    level: 'Level',
    checkPassed: 'OK',
    checkFailed: 'X',
    result: 'Result',
    todo: 'What to do',
    noRemedy: 'Call your service provider and give the reference below.',
    ref: 'Ref',
    workOrder: 'Work order',
  },
  status: {
    header: (t, at, source) => `${t.id} ${t.model} SN ${t.serial} at ${at} (${source})`,
    sources: { daemon: 'daemon', 'one poll': 'one poll: no daemon running' },
    readings: 'readings',
    faults: 'faults',
    none: 'none',
    hints: 'for the merchant (no terminal fault)',
    since: (at) => `since ${at}`,
    sinceUnknown: 'since: not known (one poll)',
    flapping: 'flapping',
    uplink: 'uplink',
    uplinkStates: { connected: 'connected', connecting: 'connecting', disconnected: 'disconnected, retrying', 'not configured': 'not configured', 'not running': 'not running' },
    lastAck: (at) => `last ack ${at}`,
    noAckYet: 'no ack yet',
    awaitingAck: (n) => `${n} awaiting ack`,
    outbox: 'outbox',
    outboxUnreadable: 'not readable',
    records: (n) => `${n} ${n === 1 ? 'record' : 'records'}`,
    bytes: (n) => `${n} bytes`,
    onDisk: 'on disk',
    inMemory: 'MEMORY MODE: the disk fails, reports are held in memory',
    dropped: (n) => `${n} dropped when full`,
    lock: 'lock',
    locked: (since, reason) => `LOCKED by the service provider${since ? ` since ${since}` : ''}${reason ? ` (${reason})` : ''}: do not take payments`,
    unlocked: 'not locked',
    workOrder: 'work order',
    workOrderState: (ref, state) => `${ref} (${state})`,
  },
};

const zhCN: UiText = {
  checks: { status: '状态', receipt: '测试小票', legible: '小票清晰度', registration: '网络注册', swipe: '刷卡', hint: '提示' },
  tlsCheck: (target) => `TLS 握手 ${target}`,
  levels: { quick: '快速', full: '完整', interactive: '交互' },
  severities: { critical: '紧急', major: '重要', minor: '次要', info: '提示' },
  categories: { hardware: '硬件', software: '软件', network: '网络', io: '输入输出', security: '安全' },
  values: {
    ok: '正常',
    near_end: '即将用完',
    end: '已用完',
    unknown: '未知',
    charging: '充电中',
    discharging: '放电中',
    not_charging: '未充电',
    full: '已充满',
    good: '良好',
    overheat: '过热',
    dead: '失效',
    over_voltage: '过压',
    failure: '故障',
    cold: '过冷',
    up: '已启用',
    down: '已断开',
    lowerlayerdown: '下层链路断开',
    dormant: '休眠',
    notpresent: '不存在',
    ready: '就绪',
    missing: '未插入',
    pin_required: '需要 PIN 码',
    puk_required: '需要 PUK 码',
    error: '错误',
    home: '本地网络',
    roaming: '漫游',
    searching: '搜索中',
    denied: '被拒绝',
    not_registered: '未注册',
    dns: '域名解析失败',
    dns_timeout: '域名解析超时',
    refused: '连接被拒绝',
    timeout: '超时',
    unreachable: '不可达',
    reset: '连接被重置',
    untrusted: '证书不受信任',
    expired: '证书已过期',
    clock_skew: '时钟偏差',
    hostname_mismatch: '证书与主机名不符',
    tls: 'TLS 错误',
    disk: '磁盘',
    memory: '内存',
    lrc_or_parity_error: '校验错误',
    no_start_sentinel: '缺少起始符',
    blank_card: '空白卡',
    partial: '部分读出',
    empty: '空',
    decode_error: '解码错误',
  },
  yes: '是',
  no: '否',
  separator: '，',
  labelled: (label, text) => `${label}：${text}`,
  severityOf: (severity, category) => `${severity}（${category}）`,
  inhibitedBy: (code) => `由 ${code} 引起`,
  automatic: '（已自动处理）',
  selfTest: {
    title: (level, t) => `自检（${level}）— 终端 ${t.id} · 型号 ${t.model} · 序列号 ${t.serial}`,
    verdict: '自检',
    passed: '通过',
    failed: '未通过',
    ref: '服务商查询参考号',
  },
  detail: {
    ok: '正常',
    noAnswer: '无应答',
    stateUnknown: '状态未知',
    printed: '已打印并切纸',
    notPrinted: '未能打印',
    cannotPrint: '该打印机驱动无法打印小票：未打印测试小票',
    legibleQuestion: '测试小票是否清晰可读？（是/否）',
    legible: '清晰',
    illegible: '不清晰',
    handshake: (ms) => `TLS 握手 ${ms} 毫秒`,
    swipeRequest: (s) => `请在 ${s} 秒内刷测试卡`,
    noSwipe: (s) => `${s} 秒内未刷卡`,
    track: (n) => `磁道${n}`,
  },
  receipt: {
    testTitle: '打印测试页',
    testEnd: '如每行都清晰可读，打印机正常。',
    testChinese: '中文打印测试：商户收银终端',
    title: '终端自检',
    terminal: '终端',
    time: '时间',
    level: '级别',
    checkPassed: '通过',
    checkFailed: '未通过',
    result: '结果',
    todo: '处理方法',
    noRemedy: '请联系服务商并告知下方参考号。',
    ref: '参考号',
    workOrder: '维修单号',
  },
  status: {
    header: (t, at, source) => `终端 ${t.id} · 型号 ${t.model} · 序列号 ${t.serial} · ${at}（${source}）`,
    sources: { daemon: '诊断服务', 'one poll': '单次轮询：诊断服务未运行' },
    readings: '读数',
    faults: '故障',
    none: '无',
    hints: '商户提示（非终端故障）',
    since: (at) => `自 ${at} 起`,
    sinceUnknown: '开始时间未知（单次轮询）',
    flapping: '频繁波动',
    uplink: '上报链路',
    uplinkStates: { connected: '已连接', connecting: '正在连接', disconnected: '已断开，正在重连', 'not configured': '未配置', 'not running': '未运行' },
    lastAck: (at) => `最后确认 ${at}`,
    noAckYet: '尚无确认',
    awaitingAck: (n) => `${n} 份待确认`,
    outbox: '待发报告',
    outboxUnreadable: '无法读取',
    records: (n) => `${n} 份`,
    bytes: (n) => `${n} 字节`,
    onDisk: '存于磁盘',
    inMemory: '内存模式：磁盘写入失败，报告暂存内存',
    dropped: (n) => `${n} 份因空间满被丢弃`,
    lock: '终端锁定',
    locked: (since, reason) => `已被服务商锁定${since ? `（自 ${since} 起）` : ''}${reason ? `：${reason}` : ''}，请勿收款`,
    unlocked: '未锁定',
    workOrder: '维修单',
    workOrderState: (ref, state) => `${ref}（${state}）`,
  },
};

const TABLE: Record<Locale, UiText> = { en, 'zh-CN': zhCN };

export function uiText(locale: Locale): UiText {
  return TABLE[locale];
}

/** A check's name as the merchant reads it (`tls:<target>` keeps the target's configured name). */
export function checkWord(name: string, locale: Locale): string {
  const t = TABLE[locale];
  return name.startsWith('tls:') ? t.tlsCheck(name.slice(4)) : (t.checks[name] ?? name);
}

/** A reading's value in words: yes/no, the enumeration's word, else the value as read (numbers, hex evidence). */
export function valueWord(value: ReadingValue, locale: Locale): string {
  const t = TABLE[locale];
  if (typeof value === 'boolean') return value ? t.yes : t.no;
  if (typeof value === 'number') return String(value);
  return t.values[value] ?? value;
}

/** Local wall-clock time to the second, as a person at the terminal reads it: `2026-01-01 09:00:05`. */
export function localTime(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())} ${p(at.getHours())}:${p(at.getMinutes())}:${p(at.getSeconds())}`;
}

/** Pads to `width` terminal columns: a CJK character takes two, so Chinese columns line up too. */
export function padColumns(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - columns(text)));
}

function columns(text: string): number {
  let n = 0;
  for (const ch of text) n += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(ch) ? 2 : 1;
  return n;
}
