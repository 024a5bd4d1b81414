import { ArrayMinSize, IsOptional, MaxLength, MinLength } from 'class-validator';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { RoleEnum } from './enums';

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
  @Field() @MinLength(1) @MaxLength(200) name: string;
  @Field(() => RoleEnum) role: RoleEnum;
  @Field(() => [ID], { nullable: true, description: 'Projects the key may reach; omit for every project.' })
  @IsOptional() @ArrayMinSize(1)
  projectIds?: string[] | null;
}

@ObjectType('CreatedApiKey')
export class CreatedApiKeyType {
  @Field({ description: 'The key itself: shown only this once, stored only as a hash.' }) key: string;
  @Field(() => ApiKeyType) apiKey: ApiKeyType;
}
