import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { PageInfoType } from './item.types';

export enum WebhookDeliveryStatusEnum {
  PENDING = 'PENDING',
  SENT = 'SENT',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatusEnum, { name: 'WebhookDeliveryStatus' });

@ObjectType('Webhook', { description: 'A subscription: events of a project POSTed, signed, to a URL.' })
export class WebhookType {
  @Field(() => ID) id: string;
  @Field() url: string;
  @Field(() => [String]) events: string[];
  @Field({ description: 'False once deactivated (by updateWebhook, or after failing for a day); nothing is sent to an inactive webhook.' })
  active: boolean;
  @Field(() => Date, { nullable: true, description: 'Since when every delivery attempt has failed; null when the last one succeeded.' })
  failingSince: Date | null;
  @Field() createdAt: Date;
  @Field() updatedAt: Date;
  @Field(() => String, {
    nullable: true,
    description: 'The signing secret Loupe generated: only in the createWebhook answer when no secret was given, null everywhere else.',
  })
  secret: string | null;
}

@InputType()
export class CreateWebhookInput {
  @Field({ description: 'An http(s) URL; loopback, private and link-local hosts are refused unless LOUPE_WEBHOOK_ALLOWED_HOSTS lists them.' })
  url: string;
  @Field(() => [String], { description: 'Event names: item.created, annotation.created, item.completed, label_issue.created, label_issue.resolved, model_version.created, job.finished, drift.detected.' })
  events: string[];
  @Field(() => String, { nullable: true, description: 'The signing secret (16–256 characters); omit it for a generated one, shown once.' })
  secret?: string | null;
}

@InputType()
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true }) url?: string | null;
  @Field(() => [String], { nullable: true }) events?: string[] | null;
  @Field(() => String, { nullable: true }) secret?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true reactivates the webhook (and clears failingSince).' }) active?: boolean | null;
}

@ObjectType('WebhookDelivery')
export class WebhookDeliveryType {
  @Field(() => ID, { description: 'The delivery id (the X-Loupe-Delivery header).' }) id: string;
  @Field(() => ID, { description: "The event's id (the body's id, the same for every webhook it goes to)." }) eventId: string;
  @Field() type: string;
  @Field(() => WebhookDeliveryStatusEnum) status: WebhookDeliveryStatusEnum;
  @Field(() => Int) attempts: number;
  @Field(() => Int, { nullable: true, description: "The last attempt's HTTP status; null when it got no response." }) responseCode: number | null;
  @Field(() => Int, { nullable: true }) latencyMs: number | null;
  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null once SENT or FAILED.' }) nextAttemptAt: Date | null;
  @Field(() => String, { nullable: true, description: "Why the last attempt failed (the response's first 1 kB included)." }) error: string | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) sentAt: Date | null;
}

@ObjectType('WebhookDeliveryEdge')
export class WebhookDeliveryEdgeType {
  @Field() cursor: string;
  @Field(() => WebhookDeliveryType) node: WebhookDeliveryType;
}

@ObjectType('WebhookDeliveryConnection')
export class WebhookDeliveryConnectionType {
  @Field(() => [WebhookDeliveryEdgeType]) edges: WebhookDeliveryEdgeType[];
  @Field(() => PageInfoType) pageInfo: PageInfoType;
  @Field(() => Int) totalCount: number;
}
