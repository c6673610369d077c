/** @jsxRuntime classic */
/** @jsx h */
/**
 * 我的兴趣标签 / Your interests: the on-device interest tags the client sends with each decide
 * request (`getTags()`), each deletable (`deleteTag`). Follows the event stream to stay current.
 */
import { h } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { TagValue } from '../sdk/index';
import { useWidget, type WidgetOptions, type WidgetContext } from './context';
import { Region } from './frame';

/** @example <Interests client={sw} /> */
export function Interests(p: WidgetOptions, context?: WidgetContext) {
  const w = useWidget(p, context);
  const { client, s } = w;
  const [tags, setTags] = useState<TagValue[]>([]);
  const read = () => setTags(client?.getTags() || []);
  useEffect(() => {
    read();
    // tags change as events arrive; a burst of them still renders once (Preact batches)
    return client?.on('event', read);
  }, [client]);
  return (
    <Region w={w} cls="sw-int" title={s.interests}>
      {tags.length ? (
        <ul class="sw-ul sw-chips" aria-label={s.interests}>
          {tags.map((t) => (
            <li key={t.name}>
              {t.label || t.name}
              <button
                type="button"
                class="sw-x"
                aria-label={s.deleteTag + ' ' + (t.label || t.name)}
                onClick={() => {
                  client?.deleteTag(t.name);
                  read();
                }}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p class="sw-empty">{s.noInterests}</p>
      )}
    </Region>
  );
}
