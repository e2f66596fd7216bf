// The consumer's own domain/event.h, as the event platform's server has one. It is on the
// consumer's include path before strata's: if an installed strata header included
// "domain/event.h" rather than "strata/domain/event.h", it would get this file and the
// consumer would not build; and main.cc's "domain/event.h" must mean this file, not strata's.
#ifndef CONSUMER_DOMAIN_EVENT_H_
#define CONSUMER_DOMAIN_EVENT_H_

namespace consumer {

// Printed by main.cc, so the test also checks that "domain/event.h" meant this file.
inline constexpr const char* kOwnEventHeader = "consumer's own domain/event.h";

}  // namespace consumer

#endif  // CONSUMER_DOMAIN_EVENT_H_
