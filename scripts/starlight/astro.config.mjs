import { defineConfig } from 'astro/config';
import starlight from '@astrojs/starlight';
export default defineConfig({
  integrations: [starlight({
    title: 'Web Toolkit Docs',
    social: { github: 'https://github.com/example/docs' },
    editLink: { baseUrl: 'https://github.com/example/docs/edit/main/' },
    sidebar: [
      { label: 'Starlette', autogenerate: { directory: 'starlette' } },
      { label: 'Python-Markdown', autogenerate: { directory: 'markdown' } },
    ],
  })],
});
