// Runs in the page (WebDriver "execute script") and returns a list of problems, one
// sentence each, naming the element: language, labels, sideways scrolling, text
// contrast (WCAG 2.2, 1.4.3) and image alternatives.
const problems = [];
const root = document.documentElement;

const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += `#${el.id}`;
  else if (el.getAttribute('name')) name += `[name="${el.getAttribute('name')}"]`;
  if (el.classList.length) name += `.${[...el.classList].join('.')}`;
  const text = (el.textContent || '').trim().replace(/\s+/g, ' ');
  if (text) name += ` "${text.length > 50 ? `${text.slice(0, 50)}…` : text}"`;
  return name;
};

const shown = (el) => {
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden') return false;
  const box = el.getBoundingClientRect();
  return box.width > 0 && box.height > 0;
};

if (!(root.getAttribute('lang') || '').trim()) problems.push('<html> has no lang attribute');

// Every field a person can see has a name a screen reader can say.
for (const field of document.querySelectorAll('input, select, textarea')) {
  if (field.type === 'hidden' || !shown(field)) continue;
  const byLabel = [...(field.labels || [])].some((label) => label.textContent.trim() !== '');
  const byAria =
    (field.getAttribute('aria-label') || '').trim() !== '' ||
    (field.getAttribute('aria-labelledby') || '')
      .split(/\s+/)
      .some((id) => id && (document.getElementById(id)?.textContent || '').trim() !== '');
  if (!byLabel && !byAria) problems.push(`no accessible label: ${describe(field)}`);
}

// Laid out for the phone's width, and nothing wider than its screen. A phone shows a page
// without `<meta name="viewport">` 980px wide, shrunk; one with content wider than the
// screen it zooms out to fit (so `innerWidth` grows with the content): both leave the
// text too small to read, or scrolling sideways once zoomed in.
const screenWidth = screen.width;
const viewport = document.querySelector('meta[name="viewport"]')?.getAttribute('content') || '';
if (!/width\s*=\s*device-width/.test(viewport)) {
  problems.push('no <meta name="viewport" content="width=device-width">: phones shrink the page');
} else if (Math.max(root.scrollWidth, window.innerWidth) > screenWidth) {
  const wide = [...document.body.querySelectorAll('*')].filter(
    (el) => shown(el) && el.getBoundingClientRect().right > screenWidth + 0.5,
  );
  const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  problems.push(
    `wider than the screen: ${root.scrollWidth}px of content on a ${screenWidth}px screen; ` +
      `too wide: ${innermost.slice(0, 5).map(describe).join(', ') || 'unknown'}`,
  );
}

// Text contrast against the nearest background that is not transparent.
const parse = (value) => {
  const match = /^rgba?\(([^)]+)\)$/.exec(value.trim());
  if (!match) return null;
  const [r, g, b, a = 1] = match[1].split(/[\s,/]+/).filter(Boolean).map(Number);
  return { r, g, b, a };
};
const over = (top, bottom) => {
  const a = top.a + bottom.a * (1 - top.a);
  const mix = (x, y) => (x * top.a + y * bottom.a * (1 - top.a)) / a;
  return { r: mix(top.r, bottom.r), g: mix(top.g, bottom.g), b: mix(top.b, bottom.b), a };
};
const background = (el) => {
  const layers = [];
  for (let node = el; node; node = node.parentElement) {
    const style = getComputedStyle(node);
    // A picture or gradient behind the text: not something to judge from colours.
    if (style.backgroundImage !== 'none') return null;
    const colour = parse(style.backgroundColor);
    if (colour && colour.a > 0) {
      layers.push(colour);
      if (colour.a >= 1) break;
    }
  }
  return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
};
const luminance = ({ r, g, b }) => {
  const channel = (c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
};
const css = ({ r, g, b }) => `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
const fields = 'input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea';

for (const el of document.body.querySelectorAll('*')) {
  const ownText = [...el.childNodes].some((node) => node.nodeType === 3 && node.textContent.trim() !== '');
  if (!(ownText || el.matches(fields)) || !shown(el)) continue;
  const style = getComputedStyle(el);
  const text = parse(style.color);
  if (!text) {
    problems.push(`cannot read the text colour of ${describe(el)}: ${style.color}`);
    continue;
  }
  const behind = background(el);
  if (!behind) continue;
  const front = over(text, behind);
  const [light, dark] = [luminance(front), luminance(behind)].sort((x, y) => y - x);
  const ratio = (light + 0.05) / (dark + 0.05);
  const size = parseFloat(style.fontSize);
  const bold = parseInt(style.fontWeight, 10) >= 700;
  const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < needed) {
    problems.push(
      `contrast ${ratio.toFixed(2)}:1 (needs ${needed}:1) for ${describe(el)}: ` +
        `${css(front)} on ${css(behind)}, ${size}px weight ${style.fontWeight}`,
    );
  }
}

for (const image of document.querySelectorAll('img, input[type=image], area')) {
  if (!image.hasAttribute('alt')) problems.push(`no alt text: ${describe(image)}`);
}

return problems;
