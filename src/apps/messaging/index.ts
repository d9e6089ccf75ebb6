import type { FastifyInstance } from 'fastify';
import type { UserRepository } from '../../accounts/UserRepository.ts';
import { CapabilityRepository } from '../../capabilities/CapabilityRepository.ts';
import type { CapabilityService } from '../../capabilities/CapabilityService.ts';
import type { Clock } from '../../clock.ts';
import type { Keyring } from '../../crypto/keyring.ts';
import type { Database } from '../../store/database.ts';
import { messagingAccessRules } from './accessRules.ts';
import { capabilityAccessRules } from './capabilityRules.ts';
import { ContactRepository } from './ContactRepository.ts';
import { contactAccessRules } from './contactRules.ts';
import { DirectMessageRepository } from './DirectMessageRepository.ts';
import { MessageRepository } from './MessageRepository.ts';
import { registerCapabilityRoutes } from './routes/capabilities.ts';
import { registerContactRoutes } from './routes/contacts.ts';
import { registerMemberRoutes } from './routes/members.ts';
import { registerMessageRoutes } from './routes/messages.ts';
import { registerSpaceRoutes } from './routes/spaces.ts';
import { SpaceRepository } from './SpaceRepository.ts';

export interface MessagingDeps {
  readonly clock: Clock;
  readonly spaces: SpaceRepository;
  readonly messages: MessageRepository;
  readonly contacts: ContactRepository;
  readonly directMessages: DirectMessageRepository;
  readonly capabilities: CapabilityService;
  readonly capabilityRepository: CapabilityRepository;
  readonly rules: ReturnType<typeof messagingAccessRules>;
  readonly contactRules: ReturnType<typeof contactAccessRules>;
  readonly capabilityRules: ReturnType<typeof capabilityAccessRules>;
}

/**
 * The bundled messaging application: routes on top of the pipeline. It could be replaced by
 * another application without touching the pipeline.
 */
export function registerMessagingApp(
  app: FastifyInstance,
  options: { database: Database; users: UserRepository; clock: Clock; keyring: Keyring; capabilities: CapabilityService },
): void {
  const spaces = new SpaceRepository(options.database.db);
  const messages = new MessageRepository(options.database.db, options.keyring);
  const contacts = new ContactRepository(options.database.db);
  const capabilityRepository = new CapabilityRepository(options.database.db);
  const deps: MessagingDeps = {
    clock: options.clock,
    spaces,
    messages,
    contacts,
    directMessages: new DirectMessageRepository(options.database.db, options.keyring),
    capabilities: options.capabilities,
    capabilityRepository,
    rules: messagingAccessRules({ spaces, messages, users: options.users }),
    contactRules: contactAccessRules({ users: options.users, contacts }),
    capabilityRules: capabilityAccessRules({ capabilities: capabilityRepository }),
  };
  registerSpaceRoutes(app, deps);
  registerMemberRoutes(app, deps);
  registerMessageRoutes(app, deps);
  registerCapabilityRoutes(app, deps);
  registerContactRoutes(app, deps);
}
