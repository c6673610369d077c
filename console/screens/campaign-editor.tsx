/**
 * One campaign's editor: label, priority, window, segments, tag audience, pages, pins picked from
 * the catalog into the app's slots, caps; saved as a draft (POST new, PUT with If-Match) and
 * previewed beside the form. The server's validation error lands at the field its `path` names.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { SEGMENTS, type Pin, type Segment } from '../../sdk/contract-admin';
import { useI18n, type MessageKey } from '../i18n';
import { fromLocalInput, pick, toLocalInput, type Campaign, type CatalogItem, type DraftEntry, type List, type SlotLayout } from '../rules';
import { Alert, asApiError, Chip, errorAt, Field, Notice, Page, useLoad, useShell } from '../ui';
import { Preview } from './preview';

const blank = (): Campaign => ({ id: '', label: { 'zh-CN': '', en: '' }, priority: 0, pins: [] });

export function CampaignEditor({ id }: { id?: string }) {
  const { api, app, go, goWith } = useShell();
  const { t, locale } = useI18n();
  const base = `/apps/${encodeURIComponent(app)}`;
  const entry = useLoad(() => (id ? api.get<DraftEntry<Campaign>>(`${base}/campaigns/${encodeURIComponent(id)}`) : Promise.resolve(undefined)), [app, id]);
  const items = useLoad(() => api.get<List<DraftEntry<CatalogItem>>>(`${base}/items`), [app]);
  const slots = useLoad(() => api.get<List<DraftEntry<SlotLayout>>>(`${base}/slots`), [app]);
  const [form, setForm] = useState<Campaign>(blank);
  const [rev, setRev] = useState<string>();
  const [error, setError] = useState<ApiError>();
  const [notice, setNotice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [pagesText, setPagesText] = useState('');

  useEffect(() => {
    if (!entry.data) return;
    setForm(structuredClone(entry.data.value));
    setRev(entry.data.rev);
    setPagesText((entry.data.value.pages ?? []).join(', '));
  }, [entry.data]);

  const set = <K extends keyof Campaign>(k: K, v: Campaign[K]) => setForm((f) => ({ ...f, [k]: v }));
  const err = (path: string) => errorAt(error, path);
  const slotIds = [...new Set((slots.data?.items ?? []).flatMap((l) => l.value.slots.map((s) => `${s.id}|${s.kind}`)))];
  const catalog = (items.data?.items ?? []).filter((e) => e.status !== 'deleted').map((e) => e.value);

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setNotice(undefined);
    const pages = pagesText.split(/[,，\s]+/).filter(Boolean);
    const body: Campaign = clean({ ...form, pages: pages.length ? pages : undefined });
    try {
      const saved = id
        ? await api.send<DraftEntry<Campaign>>('PUT', `${base}/campaigns/${encodeURIComponent(id)}`, body, { 'if-match': `"${rev}"` })
        : await api.send<DraftEntry<Campaign>>('POST', `${base}/campaigns`, body);
      setRev(saved.rev);
      if (id) setNotice(t('common.saved'));
      else goWith(`#/a/${encodeURIComponent(app)}/campaigns/${encodeURIComponent(saved.id)}`, t('common.saved'));
    } catch (x) {
      const problem = asApiError(x);
      setError(problem);
      // focus the first field the server blamed, so the keyboard user lands on it
      requestAnimationFrame(() => (document.querySelector('.field.invalid input, .field.invalid select') as HTMLElement | null)?.focus());
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!id || !rev) return;
    setError(undefined);
    try {
      await api.send('DELETE', `${base}/campaigns/${encodeURIComponent(id)}`, undefined, { 'if-match': `"${rev}"` });
      go(`#/a/${encodeURIComponent(app)}/campaigns`);
    } catch (x) {
      setError(asApiError(x));
    }
  };

  const setPin = (i: number, p: Partial<Pin>) => set('pins', (form.pins ?? []).map((x, j) => (j === i ? { ...x, ...p } : x)));
  const tags = form.tags ?? [];

  return (
    <Page title={id ? t('campaigns.edit', { id }) : t('campaigns.new')} actions={entry.data && <Chip status={entry.data.status} />}>
      <div class="split">
        <form class="card form" onSubmit={save} noValidate aria-describedby="form-error">
          <div id="form-error">
            <Alert error={error} />
          </div>
          <Notice text={notice} />
          <div class="row">
            <Field label={t('common.id')} error={err('id')}>
              {(a) => <input {...a} name="id" required value={form.id} readOnly={!!id} onInput={(e) => set('id', e.currentTarget.value)} />}
            </Field>
            <Field label={t('campaigns.priority')} error={err('priority')}>
              {(a) => <input {...a} name="priority" type="number" value={form.priority} onInput={(e) => set('priority', Number(e.currentTarget.value))} />}
            </Field>
          </div>
          <div class="row">
            <Field label={t('campaigns.labelZh')} error={err('label.zh-CN') ?? (error?.path === 'label' ? error.message : undefined)}>
              {(a) => <input {...a} name="label-zh" value={form.label['zh-CN']} onInput={(e) => set('label', { ...form.label, 'zh-CN': e.currentTarget.value })} />}
            </Field>
            <Field label={t('campaigns.labelEn')} error={err('label.en')}>
              {(a) => <input {...a} name="label-en" value={form.label.en} onInput={(e) => set('label', { ...form.label, en: e.currentTarget.value })} />}
            </Field>
          </div>
          <div class="row">
            <Field label={t('campaigns.start')} error={err('start')}>
              {(a) => <input {...a} name="start" type="datetime-local" value={toLocalInput(form.start)} onInput={(e) => set('start', fromLocalInput(e.currentTarget.value))} />}
            </Field>
            <Field label={t('campaigns.end')} error={err('end')}>
              {(a) => <input {...a} name="end" type="datetime-local" value={toLocalInput(form.end)} onInput={(e) => set('end', fromLocalInput(e.currentTarget.value))} />}
            </Field>
          </div>
          <fieldset class={errorAt(error, 'segments') ? 'invalid' : ''}>
            <legend>{t('campaigns.segments')}</legend>
            {SEGMENTS.map((s) => (
              <label class="check">
                <input
                  type="checkbox"
                  checked={form.segments?.includes(s) ?? false}
                  onChange={(e) => {
                    const next = (form.segments ?? []).filter((x) => x !== s);
                    if (e.currentTarget.checked) next.push(s as Segment);
                    set('segments', next.length ? next : undefined);
                  }}
                />
                {t(`segment.${s}` as MessageKey)}
              </label>
            ))}
            {err('segments') && <p class="field-error">{err('segments')}</p>}
          </fieldset>
          <Field label={t('campaigns.pages')} error={err('pages')}>
            {(a) => <input {...a} name="pages" value={pagesText} onInput={(e) => setPagesText(e.currentTarget.value)} />}
          </Field>
          <fieldset>
            <legend>{t('campaigns.tags')}</legend>
            {tags.map((g, i) => (
              <div class="row compact">
                <Field label={t('campaigns.tagName')} error={err(`tags.${i}.name`)}>
                  {(a) => <input {...a} value={g.name} onInput={(e) => set('tags', tags.map((x, j) => (j === i ? { ...x, name: e.currentTarget.value } : x)))} />}
                </Field>
                <Field label={t('campaigns.tagValue')} error={err(`tags.${i}.value`)}>
                  {(a) => (
                    <input {...a} value={g.value === undefined ? '' : String(g.value)} onInput={(e) => set('tags', tags.map((x, j) => (j === i ? { ...x, value: e.currentTarget.value || undefined } : x)))} />
                  )}
                </Field>
                <button type="button" class="ghost" onClick={() => set('tags', tags.filter((_, j) => j !== i).length ? tags.filter((_, j) => j !== i) : undefined)}>
                  {t('common.remove')}
                </button>
              </div>
            ))}
            <button type="button" onClick={() => set('tags', [...tags, { name: '' }])}>
              {t('campaigns.addTag')}
            </button>
          </fieldset>
          <fieldset>
            <legend>{t('campaigns.pins')}</legend>
            {(form.pins ?? []).map((p, i) => (
              <PinRow
                pin={p}
                index={i}
                catalog={catalog}
                slotIds={slotIds}
                error={error}
                locale={locale}
                onChange={(x) => setPin(i, x)}
                onRemove={() => set('pins', (form.pins ?? []).filter((_, j) => j !== i))}
              />
            ))}
            {err('pins') && !/^pins\.\d/.test(error!.path) && <p class="field-error">{err('pins')}</p>}
            <button type="button" onClick={() => set('pins', [...(form.pins ?? []), { itemId: '', slotId: slotIds[0]?.split('|')[0] ?? 'home.today', position: 0 }])}>
              {t('campaigns.addPin')}
            </button>
          </fieldset>
          <div class="row">
            <Field label={t('campaigns.capsPerDay')} error={err('caps.perDay')}>
              {(a) => <input {...a} type="number" min={1} value={form.caps?.perDay ?? ''} onInput={(e) => set('caps', capsWith(form.caps, 'perDay', e.currentTarget.value))} />}
            </Field>
            <Field label={t('campaigns.capsLifetime')} error={err('caps.lifetime')}>
              {(a) => <input {...a} type="number" min={1} value={form.caps?.lifetime ?? ''} onInput={(e) => set('caps', capsWith(form.caps, 'lifetime', e.currentTarget.value))} />}
            </Field>
          </div>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              {t('common.save')}
            </button>
            {id && (
              <button type="button" class="danger" onClick={remove}>
                {t('common.delete')}
              </button>
            )}
            <a class="button ghost" href={`#/a/${encodeURIComponent(app)}/campaigns`}>
              {t('common.cancel')}
            </a>
          </div>
        </form>
        <Preview layouts={(slots.data?.items ?? []).map((l) => l.value)} pinned={new Set((form.pins ?? []).map((p) => p.itemId))} titles={new Map(catalog.map((c) => [c.id, pick(c.title, locale)]))} />
      </div>
    </Page>
  );
}

function PinRow(props: {
  pin: Pin;
  index: number;
  catalog: CatalogItem[];
  slotIds: string[];
  error?: ApiError;
  locale: string;
  onChange: (p: Partial<Pin>) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const { pin, index: i, catalog, error } = props;
  const [q, setQ] = useState('');
  const needle = q.trim().toLowerCase();
  const shown = catalog.filter((c) => !needle || c.id.toLowerCase().includes(needle) || pick(c.title, props.locale).toLowerCase().includes(needle) || c.id === pin.itemId).slice(0, 200);
  const slotValue = pin.slotId ? `id:${pin.slotId}` : pin.slotKind ? `kind:${pin.slotKind}` : '';
  return (
    <div class="pin" data-pin={i}>
      <Field
        label={
          <>
            {t('common.search')}
            <span class="sr-only">{` (${t('campaigns.pinItem')} ${i + 1})`}</span>
          </>
        }
      >
        {(a) => <input {...a} type="search" name={`pin-${i}-search`} value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
      </Field>
      <Field class="pin-item" label={`${t('campaigns.pinItem')} ${i + 1}`} error={errorAt(error, `pins.${i}.itemId`)}>
        {(a) => (
          <select {...a} name={`pin-${i}-item`} value={pin.itemId} onChange={(e) => props.onChange({ itemId: e.currentTarget.value })}>
            <option value="">—</option>
            {shown.map((c) => (
              <option value={c.id}>
                {c.id} · {pick(c.title, props.locale)} ({c.kind}
                {c.risk ? ` ${c.risk}` : ''})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field class="pin-slot" label={t('campaigns.pinSlot')} error={errorAt(error, `pins.${i}.slotId`) ?? errorAt(error, `pins.${i}.slotKind`)}>
        {(a) => (
          <select
            {...a}
            name={`pin-${i}-slot`}
            value={slotValue}
            onChange={(e) => {
              const [how, v] = e.currentTarget.value.split(/:(.*)/);
              props.onChange(how === 'id' ? { slotId: v, slotKind: undefined } : { slotKind: v as Pin['slotKind'], slotId: undefined });
            }}
          >
            {props.slotIds.map((s) => {
              const [sid, kind] = s.split('|');
              return <option value={`id:${sid}`}>{`${sid} (${kind})`}</option>;
            })}
            {pin.slotId && !props.slotIds.some((s) => s.startsWith(`${pin.slotId}|`)) && <option value={`id:${pin.slotId}`}>{pin.slotId}</option>}
            {(['picks', 'feed', 'ad', 'reminder'] as const).map((k) => (
              <option value={`kind:${k}`}>{`* ${k}`}</option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('campaigns.pinPosition')} error={errorAt(error, `pins.${i}.position`)}>
        {(a) => <input {...a} class="narrow" type="number" min={0} name={`pin-${i}-position`} value={pin.position ?? 0} onInput={(e) => props.onChange({ position: Number(e.currentTarget.value) })} />}
      </Field>
      <button type="button" class="ghost" onClick={props.onRemove} aria-label={`${t('common.remove')} ${t('campaigns.pinItem')} ${i + 1}`}>
        {t('common.remove')}
      </button>
    </div>
  );
}

function capsWith(caps: Campaign['caps'], k: 'perDay' | 'lifetime', v: string): Campaign['caps'] {
  const next = { ...caps, [k]: v === '' ? undefined : Number(v) };
  return next.perDay === undefined && next.lifetime === undefined ? undefined : next;
}

/** Drops the keys the form left undefined, so the body is the contract's shape and nothing more. */
function clean<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
