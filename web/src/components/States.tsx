// Loading, empty and error placeholders shared by the panels, so every panel says what it is waiting for.

export function LoadingState({ what }: { readonly what: string }) {
  return (
    <div className="of-overlay of-loading" data-testid="loading" role="status">
      Loading {what}…
    </div>
  );
}

export function EmptyState({ text }: { readonly text: string }) {
  return (
    <div className="of-overlay of-empty" data-testid="empty">
      {text}
    </div>
  );
}

export function ErrorState({ error, onRetry }: { readonly error: Error; readonly onRetry?: () => void }) {
  const code = (error as Error & { code?: string }).code;
  return (
    <div className="of-overlay of-error" data-testid="error" role="alert">
      <div>
        {code !== undefined && <code>{code}</code>} {error.message}
      </div>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
