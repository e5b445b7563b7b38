// Volume profile panel (VPVR over the range, VPSV per session) with value area, POC/VAH/VAL, HVN/LVN and
// support/resistance; refreshed periodically and on live footprint updates.

import { useEffect, useState, type CSSProperties } from 'react';
import type { ProfileType } from '../../api/types.ts';
import { drawProfile } from '../../lib/profile-layout.ts';
import { formatQty } from '../../lib/format.ts';
import { useOrderflow } from '../context.tsx';
import { EmptyState, ErrorState, LoadingState } from '../States.tsx';
import { useApiData } from '../use-api-data.ts';
import { useCanvas } from '../use-canvas.ts';

export interface VolumeProfileProps {
  readonly symbol: string;
  readonly profileType?: ProfileType;
  readonly className?: string;
  readonly style?: CSSProperties;
  readonly startTime?: string;
  readonly endTime?: string;
  readonly ticksPerRow?: number;
  readonly height?: number;
  /** Refresh period while live, ms (default 5000); 0 disables polling. */
  readonly refreshMs?: number;
}

const MIN_REFRESH_GAP_MS = 1000;

export function VolumeProfile(props: VolumeProfileProps) {
  const { api, stream, theme, scheme, exchange } = useOrderflow();
  const [type, setType] = useState<ProfileType>(props.profileType ?? 'VPVR');
  useEffect(() => setType(props.profileType ?? 'VPVR'), [props.profileType]);
  const q = {
    type,
    ...(props.startTime === undefined ? {} : { start_time: props.startTime }),
    ...(props.endTime === undefined ? {} : { end_time: props.endTime }),
    ...(props.ticksPerRow === undefined ? {} : { ticks_per_row: props.ticksPerRow }),
    ...(exchange === undefined ? {} : { exchange }),
  };
  const refresh = props.refreshMs ?? 5000;
  const res = useApiData(
    `profile|${props.symbol}|${JSON.stringify(q)}`,
    (s) => api.volumeProfile(props.symbol, q, s),
    refresh > 0 ? refresh : undefined,
  );
  const { reload } = res;
  useEffect(() => {
    if (props.endTime !== undefined) return;
    let last = 0;
    return stream.on('footprint_update', () => {
      const now = Date.now();
      if (now - last < MIN_REFRESH_GAP_MS) return;
      last = now;
      reload();
    });
  }, [stream, reload, props.endTime]);
  const data = res.data;
  const height = props.height ?? 560;
  const { boxRef, canvasRef, requestDraw } = useCanvas((ctx, w, h) => {
    if (data !== undefined && data.price_levels.length > 0) drawProfile(ctx, data, w, h, theme, scheme);
  }, height);
  useEffect(requestDraw, [data, theme, scheme, requestDraw]);
  const p = data?.profile;
  return (
    <div
      className={`of-panel of-profile ${props.className ?? ''}`}
      style={props.style}
      data-testid="volume-profile"
    >
      <div className="of-toolbar">
        <strong className="of-title">{props.symbol} profile</strong>
        <select
          data-testid="profile-type"
          value={type}
          onChange={(e) => setType(e.target.value as ProfileType)}
        >
          <option value="VPVR">VPVR (range)</option>
          <option value="VPSV">VPSV (session)</option>
        </select>
        {p !== undefined && (
          <span className="of-muted" data-testid="profile-summary">
            POC {p.point_of_control ?? '—'} · VAH {p.value_area_high ?? '—'} · VAL {p.value_area_low ?? '—'} ·
            vol {formatQty(p.total_volume)}
          </span>
        )}
      </div>
      <div className="of-canvas-box" ref={boxRef} style={{ height }}>
        <canvas ref={canvasRef} className="of-canvas" data-testid="profile-canvas" />
        {data === undefined && res.loading && <LoadingState what="volume profile" />}
        {res.error !== undefined && data === undefined && <ErrorState error={res.error} onRetry={reload} />}
        {data !== undefined && data.price_levels.length === 0 && (
          <EmptyState text="No volume in this range." />
        )}
      </div>
      {data?.sessions !== undefined && data.sessions.length > 1 && (
        <table className="of-sessions">
          <thead>
            <tr>
              <th>Session</th>
              <th>POC</th>
              <th>VAH</th>
              <th>VAL</th>
              <th>Volume</th>
            </tr>
          </thead>
          <tbody>
            {data.sessions.map((s) => (
              <tr key={s.start_time}>
                <td>
                  {s.name} {s.start_time.slice(5, 10)}
                </td>
                <td>{s.profile.point_of_control ?? '—'}</td>
                <td>{s.profile.value_area_high ?? '—'}</td>
                <td>{s.profile.value_area_low ?? '—'}</td>
                <td>{formatQty(s.profile.total_volume)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}

export default VolumeProfile;
