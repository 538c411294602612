import { z } from 'zod';
import { defineCommand, EXIT, UsageError } from 'posdiag-protocol/cli';
import { configSchema } from '../../config/schema.js';
import { agentMessage, hubMessage } from 'posdiag-protocol';

/** JSON Schema (draft 2020-12) of the config file, or of every wire message in both directions. */
export function jsonSchemaOf(which: 'config' | 'protocol'): object {
  if (which === 'config') {
    return { $id: 'https://posdiag.dev/schema/config.json', title: 'posdiag config', ...z.toJSONSchema(configSchema, { io: 'input' }) };
  }
  const protocol = z.object({ agentToHub: agentMessage, hubToAgent: hubMessage });
  const schema = z.toJSONSchema(protocol) as { properties: Record<string, object>; $schema: string };
  return {
    $schema: schema.$schema,
    $id: 'https://posdiag.dev/schema/protocol.json',
    title: 'posdiag wire protocol (WebSocket /agent, JSON text frames)',
    description: 'A frame is one of agentToHub (sent by terminals) or hubToAgent (sent by the hub).',
    oneOf: [
      { title: 'agentToHub', ...schema.properties.agentToHub },
      { title: 'hubToAgent', ...schema.properties.hubToAgent },
    ],
  };
}

export const schemaCommand = defineCommand({
  name: 'schema',
  usage: 'posdiag schema config|protocol',
  summary: 'Print the JSON Schema (draft 2020-12) of the config file or of the agent <-> hub wire messages.',
  flags: {},
  async run(_flags, positional, io) {
    const which = positional[0];
    if (positional.length !== 1 || (which !== 'config' && which !== 'protocol')) {
      throw new UsageError('expected exactly one of: config, protocol');
    }
    io.stdout(JSON.stringify(jsonSchemaOf(which), null, 2) + '\n');
    return EXIT.ok;
  },
});
