import { z } from 'zod';

/** What kind of trouble a fault is (SPEC §5): the hub groups and routes alerts by it. */
export const categorySchema = z.enum(['hardware', 'software', 'network', 'io', 'security']);
/** How urgent a fault is (SPEC §5), most urgent first. */
export const severitySchema = z.enum(['critical', 'major', 'minor', 'info']);
export type Category = z.infer<typeof categorySchema>;
export type Severity = z.infer<typeof severitySchema>;
