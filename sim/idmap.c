/*
 * idmap.c - open addressing with linear probing (idmap.h).
 */
#include "idmap.h"

struct slot {
	uint64_t key;
	void *val; /* NULL: empty */
};

struct sim_idmap {
	struct slot *s;
	guint mask; /* capacity - 1, a power of two minus one */
	guint n;
};

/* MurmurHash3's fmix64: every key bit reaches the low bits. */
static inline guint
home(const sim_idmap *m, uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdULL;
	k ^= k >> 33;
	return (guint)k & m->mask;
}

sim_idmap *
sim_idmap_new(void)
{
	sim_idmap *m = g_new0(sim_idmap, 1);
	m->mask = 15;
	m->s = g_new0(struct slot, m->mask + 1);
	return m;
}

void
sim_idmap_free(sim_idmap *m)
{
	if (!m)
		return;
	g_free(m->s);
	g_free(m);
}

void *
sim_idmap_get(const sim_idmap *m, uint64_t key)
{
	for (guint i = home(m, key);; i = (i + 1) & m->mask) {
		const struct slot *s = &m->s[i];
		if (!s->val || s->key == key)
			return s->val;
	}
}

static void
grow(sim_idmap *m)
{
	struct slot *old = m->s;
	guint cap = m->mask + 1;
	m->mask = 2 * cap - 1;
	m->s = g_new0(struct slot, 2 * cap);
	m->n = 0;
	for (guint i = 0; i < cap; i++)
		if (old[i].val)
			sim_idmap_set(m, old[i].key, old[i].val);
	g_free(old);
}

void
sim_idmap_set(sim_idmap *m, uint64_t key, void *val)
{
	g_assert(val != NULL);
	if (2 * (m->n + 1) > m->mask + 1)
		grow(m);
	guint i = home(m, key);
	while (m->s[i].val && m->s[i].key != key)
		i = (i + 1) & m->mask;
	if (!m->s[i].val)
		m->n++;
	m->s[i].key = key;
	m->s[i].val = val;
}

gboolean
sim_idmap_remove(sim_idmap *m, uint64_t key)
{
	guint i = home(m, key);
	while (m->s[i].val && m->s[i].key != key)
		i = (i + 1) & m->mask;
	if (!m->s[i].val)
		return FALSE;
	/* Backward shift: move later members of the probe run into the
	 * hole when the hole lies between their home and where they are. */
	for (guint j = (i + 1) & m->mask; m->s[j].val; j = (j + 1) & m->mask) {
		guint h = home(m, m->s[j].key);
		if (((j - h) & m->mask) >= ((j - i) & m->mask)) {
			m->s[i] = m->s[j];
			i = j;
		}
	}
	m->s[i].val = NULL;
	m->n--;
	return TRUE;
}

guint
sim_idmap_size(const sim_idmap *m)
{
	return m->n;
}
