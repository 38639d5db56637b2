/**
 * Chromium's switches for the UI benchmarks. Debian's Chromium 156 in headless mode is the whole
 * browser, and each new tab starts its top-chrome WebUI (the omnibox popup, in a renderer of its
 * own): traced here, that renderer's main thread ran ~1.5 s during every cold open of the app —
 * on 2 cores, as long as the app's own renderer — and the app's first row came 3× later than on
 * the build that did not have it. The desktop app (an Electron window) has no omnibox, so the
 * benchmark turns that UI off and measures the app. (Measured with a probe page: DOMContentLoaded
 * 395–587 ms with it, 261–295 ms without.)
 */
export const BENCH_CHROMIUM_ARGS = ['--no-sandbox', '--disable-features=WebUIOmniboxPopup,WebUIOmniboxFullPopup,WebUIOmniboxAimPopup,PreloadTopChromeWebUI'];
