// The README inside the .vsix when package.json names no repository. The Marketplace and VS Code's extension
// page can only show an image by absolute URL (vsce rewrites relative ones against the repository), and this
// project has no public address yet: rather than ship broken images and links, each relative image or link
// becomes text naming the file in the source tree. With a repository, scripts/package.mjs keeps the README as it is.
const RELATIVE = '(?!https?:|mailto:|#)([^)\\s]+)';

/** `markdown` with every relative image and link replaced by a plain mention of the file it points to. */
export function readmeWithoutRelativeLinks(markdown) {
  return markdown
    .replace(new RegExp(`!\\[([^\\]]*)\\]\\(${RELATIVE}\\)`, 'g'), (_, alt, path) => `*(screenshot: ${alt}; \`${path}\` in the source tree)*`)
    .replace(new RegExp(`(?<!!)\\[([^\\]]+)\\]\\(${RELATIVE}\\)`, 'g'), (_, text, path) => (text.replace(/`/g, '') === path ? `\`${path}\` in the source tree` : `${text} (\`${path}\` in the source tree)`));
}
