/**
 * The columns of an item as its view reads them, for the item aliased `i` joined with its project aliased `p`
 * (the current label by name, and the Relay cursor as microseconds since the epoch).
 */
export const ITEM_SELECT = `i.id, i.project_id, i.external_id, i.text, i.data, i.embedding, i.created_at, i.updated_at,
  p.classes[i.current_label + 1] AS current_label_name, i.label_share, i.label_votes, i.label_source,
  ((extract(epoch FROM i.created_at) * 1000000)::bigint)::text AS cursor_us`;
