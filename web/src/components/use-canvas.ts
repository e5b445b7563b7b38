// A canvas that follows its container's size and redraws on the next animation frame only when asked
// (data, theme or size changed), for the simpler panels (profile, delta).

import { useCallback, useEffect, useRef } from 'react';
import type { Ctx2D } from '../lib/footprint-draw.ts';

export function useCanvas(draw: (ctx: Ctx2D, width: number, height: number) => void, height: number) {
  const boxRef = useRef<HTMLDivElement | null>(null);
  const canvasRef = useRef<HTMLCanvasElement | null>(null);
  const drawRef = useRef(draw);
  drawRef.current = draw;
  const raf = useRef<number | null>(null);
  const size = useRef({ width: 0, height: 0, dpr: 1 });

  const paint = useCallback(() => {
    raf.current = null;
    const c = canvasRef.current;
    const ctx = c?.getContext('2d');
    if (!ctx || size.current.width === 0) return;
    const { dpr, width, height: h } = size.current;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    drawRef.current(ctx, width, h);
  }, []);
  const requestDraw = useCallback(() => {
    raf.current ??= requestAnimationFrame(paint);
  }, [paint]);

  useEffect(() => {
    const box = boxRef.current;
    const c = canvasRef.current;
    if (box === null || c === null) return;
    const apply = () => {
      const dpr = window.devicePixelRatio || 1;
      const width = Math.max(60, Math.floor(box.clientWidth));
      const h = Math.max(60, Math.floor(box.clientHeight || height));
      size.current = { width, height: h, dpr };
      c.width = Math.round(width * dpr);
      c.height = Math.round(h * dpr);
      c.style.width = `${width}px`;
      c.style.height = `${h}px`;
      requestDraw();
    };
    apply();
    const ro = new ResizeObserver(apply);
    ro.observe(box);
    return () => {
      ro.disconnect();
      if (raf.current !== null) cancelAnimationFrame(raf.current);
      raf.current = null;
    };
  }, [height, requestDraw]);

  return { boxRef, canvasRef, requestDraw };
}
