import { Hono } from 'hono';
import { config, type Env } from '../env';

export const pages = new Hono<{ Bindings: Env }>();
pages.get('/terms', (c) => c.html(`<p>terms ${config(c.env).termsVersion}</p>`));
