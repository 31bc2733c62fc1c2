import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import "uplot/dist/uPlot.min.css";
import "./styles.css";
import { App } from "./App.js";
import { liveStore } from "./store.js";
import { applyTheme, initialTheme } from "./theme.js";

applyTheme(initialTheme());
liveStore.connect();
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
