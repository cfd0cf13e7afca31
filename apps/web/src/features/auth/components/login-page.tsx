import { useState, type FormEvent } from "react";
import { TextField } from "../../../components/field";
import { ApiError, setCsrfToken } from "../../../lib/api-client";
import { useSession } from "../../../stores/session-store";
import { login } from "../api/login";

export function LoginPage() {
  const setMe = useSession((s) => s.setMe);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email || !password) {
      setError("Enter your email and password.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await login(email.trim(), password);
      setCsrfToken(me.csrfToken);
      setMe(me);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        setError("That email and password do not match an account.");
      } else if (err instanceof ApiError && err.status === 429) {
        setError("Too many attempts. Wait a moment and try again.");
      } else {
        setError(err instanceof Error ? err.message : "Sign-in failed.");
      }
      setBusy(false);
    }
  };

  return (
    <main className="login-page" id="main">
      <div className="login-card">
        <div className="login-brand">
          <span className="brand-mark brand-mark-large" aria-hidden="true">
            M
          </span>
          <div>
            <h1>Maestro Banquets</h1>
            <p className="muted">Banquet operations · calendar, BEOs and the Echo CRM link</p>
          </div>
        </div>
        <form onSubmit={onSubmit} noValidate aria-describedby={error ? "login-error" : undefined}>
          <TextField
            label="Email"
            type="email"
            name="email"
            autoComplete="username"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            required
            autoFocus
          />
          <TextField
            label="Password"
            type="password"
            name="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          {error && (
            <p id="login-error" className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
