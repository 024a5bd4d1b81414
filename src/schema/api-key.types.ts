import { MAX_NAME } from '../services/names';
import { IsOptional } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RoleEnum } from './enums';
import { Chars, Entries } from './input-rules';

@ObjectType('ApiKey')
export class ApiKeyType {
  @Field(() => ID) id: string;
  @Field() name: string;
  @Field({ description: 'First characters of the key, to recognise it.' }) prefix: string;
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => [ID], { nullable: true, description: 'null = every project.' }) projectIds: string[] | null;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) revokedAt: Date | null;
}

@InputType()
export class CreateApiKeyInput {
  @Field() @Chars(1, MAX_NAME) name: string;
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => [ID], { nullable: true, description: 'Projects the key may reach (at least one); omit (or null) for every project. An empty list is refused.' })
  @IsOptional() @Entries(1, undefined, ' (omit it for every project)')
  projectIds?: string[] | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field({ description: 'The key itself: shown only this once, stored only as a hash.' }) key: string;
  @Field(() => ApiKeyType) apiKey: ApiKeyType;
}
