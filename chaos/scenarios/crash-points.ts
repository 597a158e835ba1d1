import { join } from 'node:path';
import mongoose from 'mongoose';
import { CLOUDEVENTS_CONTENT_TYPE, createEvent, serializeEvent } from '@app/contracts';
import { fileRef, UploadFolder } from '../../test/support/import-files';
import { freePort, tokenIn } from '../../test/support/page-client';
import { waitFor } from '../../test/support/wait-for';
import type { WorkerProcess } from '../../test/support/worker-process';
import { check, sleep, type Scenario, type ScenarioResult, type Size } from '../scenario';
import type { AppName } from '../world';
import { World } from '../world';

// The crash points between a write and the event it implies: each process is SIGKILLed while
// such writes are under way, and the outbox of the document written must still publish the
// event, and every fact must land once (docs/guarantees.md, "Crashes").

type Keyed = { id: string; data: { tenantId: string; userId: string } };

/** Per user: how many messages arrived, and under how many distinct event ids. */
function perUser(events: Keyed[]): Map<string, { messages: number; ids: Set<string> }> {
  const users = new Map<string, { messages: number; ids: Set<string> }>();
  for (const e of events) {
    const entry = users.get(e.data.userId) ?? { messages: 0, ids: new Set<string>() };
    entry.messages += 1;
    entry.ids.add(e.id);
    users.set(e.data.userId, entry);
  }
  return users;
}

/** Violations unless every user has exactly one fact (one event id) of this kind. */
function exactlyOnce(what: string, events: Keyed[], users: number): string[] {
  const counted = perUser(events);
  const twice = [...counted.values()].filter((u) => u.ids.size > 1).length;
  return [
    ...check(counted.size === users, `${users - counted.size} users have no ${what}`),
    ...check(twice === 0, `${twice} users have two different ${what} events`),
  ];
}

/** Messages beyond one per event id: an outbox that published again (consumers dedupe these). */
function repeats(events: Keyed[]): number {
  return events.length - new Set(events.map((e) => e.id)).size;
}

/** Documents of a collection whose outbox still holds events: writes caught before publishing. */
async function pendingOutboxes(world: World, collection: string): Promise<number> {
  const db = await mongoose.createConnection(world.env.MONGODB_URI!).asPromise();
  try {
    return await db.collection(collection).countDocuments({ 'outbox.0': { $exists: true } });
  } finally {
    await db.close();
  }
}

async function kill(world: World, process: WorkerProcess): Promise<void> {
  process.kill('SIGKILL');
  await process.exited;
  world.retire(process);
}

async function restart(world: World, app: AppName, extra: Record<string, string> = {}) {
  await sleep(300);
  return world.start(app, extra);
}

/** Mails every user of a bulk request and returns each user's link, read from the mail. */
async function mailEveryone(world: World, users: number, base: string): Promise<string[]> {
  await world.request('bulk', users);
  await waitFor('every mail', () => world.sink.mails.length >= users || undefined, {
    timeoutMs: 300_000,
  });
  return Array.from({ length: users }, (_, n) => {
    const mail = world.sink.mails.find((m) => m.envelopeTo.includes(`u${n}@example.se`));
    return `${base}/verify/${tokenIn(mail?.parsed.text, base) ?? 'missing'}`;
  });
}

/** The verification page killed while link uses are being stored and their EmailVerified sent. */
export const pageKill: Scenario = {
  name: 'page-sigkill',
  quick: false,
  async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
    const users = size === 'full' ? 1_000 : 200;
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const world = await World.create('page-kill', {
      PUBLIC_BASE_URL: base,
      PAGE_PORT: String(port),
      // One secret for both lives of the page: forms shown before the kill still post after.
      PAGE_CSRF_SECRET: 'chaos-page-kill-secret-0123456789abcdef',
      PAGE_RATE_LIMIT_PER_MINUTE: '1000000',
      PAGE_MIN_RESPONSE_MS: '1',
    });
    worlds.push(world);
    await world.start('verification-worker');
    let page = await world.start('verification-page');
    await world.watch('EmailVerified', 'VismaConnectLinked');
    const links = await mailEveryone(world, users, base);
    const forms = await Promise.all(links.map(async (url) => ({ url, ...(await formOf(url)) })));

    // Twenty people press the button at once; the page dies a third of the way through.
    const pressed = new Set<number>();
    let next = 0;
    const presser = async () => {
      while (next < users) {
        const n = next++;
        const ok = await post(forms[n]!).catch(() => false);
        if (ok) pressed.add(n);
      }
    };
    const pressing = Promise.all(Array.from({ length: 20 }, presser));
    await waitFor('a third pressed', () => pressed.size >= users / 3 || undefined);
    await kill(world, page);
    const caught = await pendingOutboxes(world, 'verification_link_uses');
    await pressing;
    const lost = users - pressed.size;
    page = await restart(world, 'verification-page');
    // Those whose press went unanswered press again, as a person would.
    for (let n = 0; n < users; n++) if (!pressed.has(n) && (await post(forms[n]!))) pressed.add(n);

    await waitFor(
      'every user linked',
      () =>
        perUser(world.kafka.json<Keyed>(world.topic('VismaConnectLinked'))).size >= users ||
        undefined,
      { timeoutMs: 120_000 },
    );
    await sleep(3000);
    const verified = world.kafka.json<Keyed>(world.topic('EmailVerified'));
    const linked = world.kafka.json<Keyed>(world.topic('VismaConnectLinked'));
    return {
      injected: `SIGKILL of the page after ${users - lost} of ${users} presses, ${caught} link uses stored with their EmailVerified not yet published`,
      counted: `${perUser(verified).size}/${users} users with one EmailVerified (${repeats(verified)} repeated messages), ${perUser(linked).size}/${users} linked once (${repeats(linked)} repeated), ${lost} presses pressed again`,
      violations: [
        ...check(pressed.size === users, `${users - pressed.size} presses never answered`),
        ...exactlyOnce('EmailVerified', verified, users),
        ...exactlyOnce('VismaConnectLinked', linked, users),
      ],
      deadLetters: [],
    };
  },
};

async function formOf(url: string): Promise<{ cookie: string; csrf: string }> {
  const response = await fetch(url);
  const html = await response.text();
  const cookie = response.headers.getSetCookie()[0]?.split(';')[0] ?? '';
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return { cookie, csrf };
}

/** One press of the verify button; true when the page answered that the address is verified. */
async function post(form: { url: string; cookie: string; csrf: string }): Promise<boolean> {
  const response = await fetch(form.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ _csrf: form.csrf }).toString(),
  });
  const html = await response.text();
  return response.status === 200 && /verifierad/.test(html);
}

/** The linker killed while it links users and publishes VismaConnectLinked. */
export const linkerKill: Scenario = {
  name: 'linker-sigkill',
  quick: false,
  async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
    const users = size === 'full' ? 5_000 : 1_000;
    const world = await World.create('linker-kill');
    worlds.push(world);
    let worker = await world.start('verification-worker');
    await world.watch('VismaConnectLinked');
    await world.request('bulk', users);
    await waitFor('every mail', () => world.sink.mails.length >= users || undefined, {
      timeoutMs: 300_000,
    });
    // What the page emits once each user pressed the button.
    const verifiedAt = new Date().toISOString();
    await world.kafka.produce(
      world.topic('EmailVerified'),
      Array.from({ length: users }, (_, n) => {
        const event = createEvent(
          'EmailVerified',
          {
            tenantId: 'chaos',
            userId: `u${n}`,
            email: `u${n}@example.se`,
            verifiedAt,
            method: 'link',
          },
          { source: '/chaos/page', id: `verified-u${n}` },
        );
        return {
          key: 'chaos',
          value: serializeEvent(event),
          headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
        };
      }),
    );
    const linkedSoFar = () =>
      perUser(world.kafka.json<Keyed>(world.topic('VismaConnectLinked'))).size;
    await waitFor('a third linked', () => linkedSoFar() >= users / 3 || undefined, {
      timeoutMs: 300_000,
    });
    await kill(world, worker);
    const at = linkedSoFar();
    const caught = await pendingOutboxes(world, 'user_states');
    worker = await restart(world, 'verification-worker');
    await waitFor('every user linked', () => linkedSoFar() >= users || undefined, {
      timeoutMs: 300_000,
    });
    await sleep(3000);
    const linked = world.kafka.json<Keyed>(world.topic('VismaConnectLinked'));
    return {
      injected: `SIGKILL of the worker (linker) at ${at} of ${users} links, ${caught} users stored with an event not yet published`,
      counted: `${perUser(linked).size}/${users} users linked once, ${repeats(linked)} repeated messages`,
      violations: exactlyOnce('VismaConnectLinked', linked, users),
      deadLetters: [],
    };
  },
};

/** The import worker killed in the middle of a file. */
export const importKill: Scenario = {
  name: 'import-sigkill',
  quick: false,
  async run(size: Size, worlds: World[]): Promise<ScenarioResult> {
    const rows = size === 'full' ? 20_000 : 5_000;
    const world = await World.create('import-kill', { IMPORT_BATCH_SIZE: '250' });
    worlds.push(world);
    let importer = await world.start('import-worker');
    await world.watch('UserImportCompleted', 'VerificationStatusChanged');
    const uploads = new UploadFolder(join(world.env.MAIL_OUTBOX_DIR!, '..', 'uploads'));
    const header = ['Användar-ID', 'Namn', 'E-post Visma Connect'];
    const path = uploads.csv(
      'big.csv',
      [
        header,
        ...Array.from({ length: rows }, (_, n) => [`i${n}`, `Person ${n}`, `i${n}@example.se`]),
      ],
      { delimiter: ';', encoding: 'utf-8', bom: true },
    );
    const upload = createEvent(
      'UserImportUploaded',
      {
        importId: 'imp-kill',
        tenantId: 'chaos',
        uploadedBy: { userId: 'admin' },
        template: 'employees-users',
        file: fileRef(path),
        verifyAfterImport: false,
      },
      { source: '/chaos', id: 'upload-imp-kill' },
    );
    await world.kafka.produce(world.topic('UserImportUploaded'), [
      {
        key: 'chaos',
        value: serializeEvent(upload),
        headers: { 'content-type': CLOUDEVENTS_CONTENT_TYPE },
      },
    ]);
    const changed = () => world.kafka.json<Keyed>(world.topic('VerificationStatusChanged'));
    await waitFor(
      'a third of the rows applied',
      () => perUser(changed()).size >= rows / 3 || undefined,
      {
        timeoutMs: 300_000,
      },
    );
    await kill(world, importer);
    const at = perUser(changed()).size;
    importer = await restart(world, 'import-worker');
    const completions = () =>
      world.kafka.json<{ id: string; data: Record<string, unknown> }>(
        world.topic('UserImportCompleted'),
      );
    await waitFor('the completion', () => completions()[0], { timeoutMs: 300_000 });
    await sleep(3000);
    const done = completions();
    const reports = new Set(done.map((c) => String(c.data.reportUri)));
    return {
      injected: `SIGKILL of the import worker at ${at} of ${rows} rows applied`,
      counted: `${done.length} completion message(s) under ${new Set(done.map((c) => c.id)).size} id(s), updated ${String(done[0]?.data.updated)}, ${perUser(changed()).size}/${rows} users changed once, ${repeats(changed())} repeated messages, ${reports.size} report(s)`,
      violations: [
        ...check(new Set(done.map((c) => c.id)).size === 1, `${done.length} different completions`),
        ...check(
          done[0]?.data.updated === rows,
          `updated ${String(done[0]?.data.updated)}, not ${rows}`,
        ),
        ...check(reports.size === 1, `${reports.size} reports`),
        ...exactlyOnce('VerificationStatusChanged', changed(), rows),
      ],
      deadLetters: [],
    };
  },
};
