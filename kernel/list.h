/* list.h: the kernel's one doubly-linked list, intrusive like Linux's include/linux/list.h: the
 * node lives inside the object, so putting an object on a list allocates nothing and taking it
 * off is O(1). Run queues, wait queues, the sleep queue and the task list are all this.
 * A list is a circular chain through a head node; an empty list's head points at itself.
 */
#ifndef HARTOS_LIST_H
#define HARTOS_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct list_node {
    struct list_node *next, *prev;
};

#define LIST_INIT(name) { &(name), &(name) }

/* The object that contains `node` as its field `member`. */
#define list_entry(node, type, member) ((type *)((char *)(node) - offsetof(type, member)))

static inline void list_init(struct list_node *head)
{
    head->next = head->prev = head;
}

static inline bool list_empty(const struct list_node *head)
{
    return head->next == head;
}

/* Is this node on some list? (list_remove leaves a removed node pointing at itself.) */
static inline bool list_linked(const struct list_node *node)
{
    return node->next != node;
}

static inline void list_insert_between(struct list_node *n, struct list_node *prev,
                                       struct list_node *next)
{
    n->prev = prev;
    n->next = next;
    prev->next = n;
    next->prev = n;
}

static inline void list_push_back(struct list_node *head, struct list_node *n)
{
    list_insert_between(n, head->prev, head);
}

static inline void list_push_front(struct list_node *head, struct list_node *n)
{
    list_insert_between(n, head, head->next);
}

/* Insert n just before `at` (which may be the head: then at the back). */
static inline void list_insert_before(struct list_node *at, struct list_node *n)
{
    list_insert_between(n, at->prev, at);
}

static inline void list_remove(struct list_node *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->next = n->prev = n;
}

/* Remove and return the first node, or NULL if the list is empty. */
static inline struct list_node *list_pop_front(struct list_node *head)
{
    struct list_node *n = head->next;
    if (n == head)
        return NULL;
    list_remove(n);
    return n;
}

#define list_for_each(pos, head) for (pos = (head)->next; pos != (head); pos = pos->next)

#endif
