/**
 * Saves one of the app's campaigns as the app's own template: the author names it, picks its
 * family, and chooses the parameters — each the path of a value in the campaign (`traits.0.max`,
 * `pins.0.itemId`) that becomes a parameter with that value as its default. Saving an id again
 * makes its next version. The server's error lands at the field it names.
 */
import { useState } from 'preact/hooks';
import type { ApiError } from '../api';
import { PARAM_TYPES, TEMPLATE_FAMILIES, type ParamType, type Template } from '../../sdk/contract-templates';
import type { List, DraftEntry, Campaign } from '../rules';
import { useTemplateText } from '../templates-i18n';
import { asApiError, errorAt, Field, Notice, useLoad, useShell } from '../ui';

interface ParamRow {
  name: string;
  type: ParamType;
  path: string;
  zh: string;
  en: string;
}

const blankParam = (): ParamRow => ({ name: '', type: 'days', path: '', zh: '', en: '' });

export function SaveTemplate({ onSaved }: { onSaved: () => void }) {
  const { api, app } = useShell();
  const tt = useTemplateText();
  const campaigns = useLoad(() => api.get<List<DraftEntry<Campaign>>>(`/apps/${encodeURIComponent(app)}/campaigns`), [app]);
  const [form, setForm] = useState({ campaign: '', id: '', family: 'lifecycle', nameZh: '', nameEn: '', descZh: '', descEn: '' });
  const [params, setParams] = useState<ParamRow[]>([]);
  const [error, setError] = useState<ApiError>();
  const [saved, setSaved] = useState<string>();
  const set = (k: keyof typeof form) => (e: Event) => setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }));
  const setParam = (i: number, k: keyof ParamRow) => (e: Event) =>
    setParams((ps) => ps.map((p, j) => (j === i ? { ...p, [k]: (e.currentTarget as HTMLInputElement).value } : p)));
  const err = (path: string) => errorAt(error, path);
  const ids = (campaigns.data?.items ?? []).filter((e) => e.status !== 'deleted').map((e) => e.id);

  const save = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    setSaved(undefined);
    try {
      const t = await api.send<Template>('POST', `/apps/${encodeURIComponent(app)}/templates`, {
        id: form.id,
        family: form.family,
        campaign: form.campaign || ids[0] || '',
        name: { 'zh-CN': form.nameZh, en: form.nameEn },
        description: { 'zh-CN': form.descZh, en: form.descEn },
        params: params.map((p) => ({ name: p.name, type: p.type, path: p.path, label: { 'zh-CN': p.zh || p.name, en: p.en || p.name } })),
      });
      setSaved(tt('savedAs', { id: t.id, v: t.version }));
      onSaved();
    } catch (x) {
      setError(asApiError(x));
      requestAnimationFrame(() => (document.querySelector('.save-template .field.invalid input, .save-template .field.invalid select') as HTMLElement | null)?.focus());
    }
  };

  return (
    <details class="save-template">
      <summary>{tt('saveTitle')}</summary>
      <form class="form" noValidate onSubmit={save} aria-label={tt('saveTitle')}>
        <p class="hint">{tt('saveIntro')}</p>
        <Field label={tt('campaign')} error={err('campaign')}>
          {(a) => (
            <select {...a} value={form.campaign || ids[0]} onChange={set('campaign')}>
              {ids.map((id) => (
                <option value={id}>{id}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label={tt('templateId')} error={err('id')}>
          {(a) => <input {...a} value={form.id} onInput={set('id')} />}
        </Field>
        <Field label={tt('family')} error={err('family')}>
          {(a) => (
            <select {...a} value={form.family} onChange={set('family')}>
              {TEMPLATE_FAMILIES.map((f) => (
                <option value={f}>{tt(`family.${f}`)}</option>
              ))}
            </select>
          )}
        </Field>
        <Field label={tt('nameZh')} error={err('name.zh-CN')}>
          {(a) => <input {...a} value={form.nameZh} onInput={set('nameZh')} />}
        </Field>
        <Field label={tt('nameEn')} error={err('name.en')}>
          {(a) => <input {...a} value={form.nameEn} onInput={set('nameEn')} />}
        </Field>
        <Field label={tt('descZh')} error={err('description.zh-CN')}>
          {(a) => <input {...a} value={form.descZh} onInput={set('descZh')} />}
        </Field>
        <Field label={tt('descEn')} error={err('description.en')}>
          {(a) => <input {...a} value={form.descEn} onInput={set('descEn')} />}
        </Field>
        {params.map((p, i) => (
          <fieldset class="param-row">
            <legend>{tt('paramN', { n: i + 1 })}</legend>
            <Field label={tt('paramName')} error={err(`params.${i}.name`)}>
              {(a) => <input {...a} value={p.name} onInput={setParam(i, 'name')} />}
            </Field>
            <Field label={tt('paramType')} error={err(`params.${i}.type`)}>
              {(a) => (
                <select {...a} value={p.type} onChange={setParam(i, 'type')}>
                  {PARAM_TYPES.map((x) => (
                    <option value={x}>{x}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label={tt('paramPath')} hint={tt('paramPathHint')} error={err(`params.${i}.path`)}>
              {(a) => <input {...a} value={p.path} onInput={setParam(i, 'path')} />}
            </Field>
            <Field label={tt('paramLabelZh')}>{(a) => <input {...a} value={p.zh} onInput={setParam(i, 'zh')} />}</Field>
            <Field label={tt('paramLabelEn')}>{(a) => <input {...a} value={p.en} onInput={setParam(i, 'en')} />}</Field>
            <button type="button" onClick={() => setParams((ps) => ps.filter((_, j) => j !== i))}>
              {tt('removeParam', { n: i + 1 })}
            </button>
          </fieldset>
        ))}
        <div class="actions">
          <button type="button" onClick={() => setParams((ps) => [...ps, blankParam()])}>
            {tt('addParam')}
          </button>
          <button type="submit" class="primary">
            {tt('save')}
          </button>
        </div>
        {error && !['campaign', 'id', 'family', 'name', 'description', 'params'].some((k) => error.path === k || error.path.startsWith(`${k}.`)) && (
          <p class="field-error" role="alert">
            {error.message}
          </p>
        )}
        <Notice text={saved} />
      </form>
    </details>
  );
}
