import { buildTemplates } from './templates';

export default buildTemplates;
