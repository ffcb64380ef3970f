import { Option } from 'commander';
import { parseFormat } from './output.ts';

export const DEFAULT_INVENTORY = 'inventory.yaml';
export const outputOption = () => new Option('--output <format>', 'text or json').default('text').argParser((v) => parseFormat(v));
export const inventoryOption = () => new Option('-i, --inventory <file>', 'site inventory file').default(DEFAULT_INVENTORY);
