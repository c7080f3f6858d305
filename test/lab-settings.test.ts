/**
 * The JupyterLab settings setup writes (LAB_SETTINGS into .venv's overrides.d): every name exists in the
 * installed JupyterLab's schemas with a value the schema allows, and JupyterLab as `npm start` runs it
 * serves them as the defaults, so the news pop-up does not cover the notebooks (checked once by eye in
 * headless Chromium: without the file the pop-up shows, with it none does). Needs `npm run setup`.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jupyterDataDir, labSettingsFile } from '../scripts/jupyter';
import { startLab, type Lab } from '../scripts/lab';
import { LAB_SETTINGS } from '../scripts/setup';

interface SchemaProperty {
  type?: string;
  default?: unknown;
  oneOf?: { const: unknown }[];
}

/** A plugin's schema from the installed JupyterLab: "@jupyterlab/apputils-extension:notification" → its JSON file. */
function installedSchema(plugin: string): { properties: Record<string, SchemaProperty> } {
  const [pkg, name] = plugin.split(':');
  const file = path.join(jupyterDataDir, 'lab', 'schemas', pkg, `${name}.json`);
  assert.ok(fs.existsSync(file), `${plugin}: no schema at ${file} (renamed in this JupyterLab?)`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const entries = Object.entries(LAB_SETTINGS).flatMap(([plugin, values]) =>
  Object.entries(values).map(([key, value]) => ({ plugin, key, value: value as unknown })),
);

describe('JupyterLab settings written by setup', () => {
  test('are in the settings file, and name settings the installed JupyterLab has, with allowed values', () => {
    assert.deepEqual(JSON.parse(fs.readFileSync(labSettingsFile, 'utf8')), LAB_SETTINGS);
    for (const { plugin, key, value } of entries) {
      const property = installedSchema(plugin).properties[key];
      assert.ok(property, `${plugin} has no setting ${key}`);
      if (property.oneOf !== undefined) {
        assert.ok(property.oneOf.some((option) => option.const === value), `${plugin}.${key} does not allow ${JSON.stringify(value)}`);
      } else {
        assert.equal(typeof value, property.type, `${plugin}.${key} is a ${property.type}`);
      }
    }
  });

  describe('as JupyterLab serves them', { timeout: 120_000 }, () => {
    let lab: Lab | undefined;
    before(async () => {
      lab = await startLab({ log: 'capture' });
    });
    after(async () => {
      await lab?.stop();
    });

    test('are the defaults of their plugins (news never fetched nor asked about, no update check)', async () => {
      assert.ok(lab);
      for (const plugin of Object.keys(LAB_SETTINGS)) {
        const response = await fetch(`${lab.baseUrl}lab/api/settings/${plugin}`, { headers: { Authorization: `token ${lab.token}` } });
        const body = await response.text();
        assert.equal(response.status, 200, `${plugin}: ${body}`);
        const served = JSON.parse(body) as { schema: { properties: Record<string, SchemaProperty> } };
        for (const { key, value } of entries.filter((e) => e.plugin === plugin)) {
          assert.deepEqual(served.schema.properties[key].default, value, `${plugin}.${key}`);
        }
      }
    });
  });
});
