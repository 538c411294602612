import type { FamilyCatalog } from '../family.js';
import { auto, fault, step, text } from '../../faults/catalog-text.js';

/** The accelerometer's fault codes: a drop, and a terminal dropped often over its life; what a technician checks for each. */
export const catalog: FamilyCatalog = {
  entries: [
    fault('hardware.dropped', 'hardware', 'minor', text('The terminal was dropped', '终端跌落'), [
      step('Pick the terminal up and look for cracks in the case and the screen, and a loose battery cover.', '拿起终端，检查外壳和屏幕有无裂痕、电池盖是否松动。'),
      step('If that check fails, or a payment does not go through, call your service provider.', '如自动检测未通过，或交易无法完成，请联系服务商。'),
      auto('The terminal checks its devices by itself once it lies still.', '终端静止后会自动检测各部件。'),
    ]),
    fault('maintenance.terminal_drops', 'hardware', 'minor', text('The terminal has been dropped many times', '终端多次跌落'), [
      step('Keep the terminal on its base or a stand, away from the counter\'s edge; use a wrist strap when carrying it.', '请将终端放在底座或支架上，远离柜台边缘；手持时请使用腕带。'),
      step('Ask your service provider to inspect it at the next visit.', '请服务商在下次上门时检查终端。'),
    ], true),
  ],
  hints: {
    'hardware.dropped': [
      text('The evidence has the fall height (from the free-fall time), the impact peak and the self-test after it: check the card slot, printer lid and battery contacts first.', '证据中有跌落高度（由失重时间推算）、冲击峰值及跌落后的自检结果：优先检查插卡槽、打印机盖和电池触点。'),
    ],
    'maintenance.terminal_drops': [
      text('Inspect the case, screen, card slot and battery contacts; the lifetime drop count is in the evidence.', '检查外壳、屏幕、插卡槽和电池触点；终身跌落次数见证据。'),
    ],
  },
};
