#include "server/resolver/conflict_set.h"
