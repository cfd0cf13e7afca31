import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/app";
import "./styles/base.css";
import "./styles/layout.css";
import "./styles/calendar.css";
import "./styles/beo.css";
import "./styles/integration.css";

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
